import 'reflect-metadata';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CUSTOMER_MESSAGE_CHANNELS, type CustomerMessageChannel } from '@closeloop/contracts';
import { EMAIL_MAX_CHARS } from './message-rules';

/** Body of POST /v1/tickets/:id/messages: a channel and either a template name or a text (checked after). */
export class MessageBody {
  @IsIn(CUSTOMER_MESSAGE_CHANNELS as unknown as string[], { message: 'must be sms or email' })
  channel: CustomerMessageChannel;

  @IsOptional() @IsString() @Matches(/^\S+$/, { message: 'must be a template name of the routing file' }) @MaxLength(100)
  template?: string;

  @IsOptional() @IsString() @Matches(/\S/, { message: 'must not be empty' }) @MaxLength(EMAIL_MAX_CHARS)
  body?: string;

  /** email with a body of the agent's own (a template brings its own subject); a default when absent */
  @IsOptional() @IsString() @Matches(/\S/, { message: 'must not be empty' }) @MaxLength(200)
  subject?: string;
}
