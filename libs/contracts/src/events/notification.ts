import 'reflect-metadata';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export const DELIVERY_CHANNELS = ['slack', 'sms', 'email', 'log'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export const DELIVERY_PURPOSES = ['alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms', 'customer_email', 'digest'] as const;
export type DeliveryPurpose = (typeof DELIVERY_PURPOSES)[number];

export const DELIVERY_STATUSES = ['pending', 'held', 'sent', 'delivered', 'retrying', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** cx.notification.events.v1 — `notification.delivery`: a delivery changed state. */
export class DeliveryEventData {
  @IsString() @IsNotEmpty() deliveryId: string;
  @IsString() @IsNotEmpty() ticketId: string;
  /** eventId of the ticket event that caused this delivery */
  @IsString() @IsNotEmpty() ticketEventId: string;
  @IsIn(DELIVERY_CHANNELS as unknown as string[]) channel: DeliveryChannel;
  @IsIn(DELIVERY_PURPOSES as unknown as string[]) purpose: DeliveryPurpose;
  /** Slack channel id, a team's email addresses, or a masked phone number — never a full number. */
  @IsString() @IsNotEmpty() recipient: string;
  @IsIn(DELIVERY_STATUSES as unknown as string[]) status: DeliveryStatus;
  @IsInt() @Min(0) attempts: number;
  @IsOptional() @IsString() providerId?: string;
  @IsOptional() @IsString() error?: string;
  @IsOptional() @IsString() errorCode?: string;
  @IsISO8601() at: string;
}
