import { Body, Controller, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Agent } from '@closeloop/contracts';
import { Requires, forbidden } from '@closeloop/platform';
import { AgentAuthGuard, CurrentAgent } from '../api/auth.guard';
import { ProblemException, badRequest, conflict, notFound, validated } from '../api/problem';
import { inTransaction } from '../tickets/tx';
import { CustomerMessageService, type MessageOutcome } from './customer-message.service';
import { MessageBody } from './message.dto';
import { idempotencyKeyOf, requestShapeErrors } from './message-rules';
import { toMessageJson } from './message-views';
import { AgentApi, ApiRoute } from '../openapi/openapi';

/** `POST /v1/tickets/:id/messages` (SPEC §11): an agent texts the ticket's customer. */
@Controller('v1')
@UseGuards(AgentAuthGuard)
@AgentApi('messages')
export class MessagesController {
  constructor(private readonly ds: DataSource, private readonly messages: CustomerMessageService) {}

  /** 202: the message is recorded and on its way (its delivery statuses follow on the ticket's timeline). */
  @ApiRoute({
    summary: 'Send the customer an SMS or email (a template or a text); optional Idempotency-Key header', body: 'MessageBody',
    ok: { status: 202, schema: 'MessageAccepted' }, problems: [400, 403, 404, 409, 422],
  })
  @Post('tickets/:id/messages')
  @Requires('tickets.act')
  @HttpCode(202)
  async send(@Param('id') id: string, @Body() body: unknown, @Headers('idempotency-key') keyHeader: string | undefined, @CurrentAgent() agent: Agent) {
    const b = validated(MessageBody, body, 'body');
    const shape = requestShapeErrors(b);
    if (shape.length) throw badRequest(shape[0].message, shape);
    const key = idempotencyKeyOf(keyHeader);
    if (!key.ok) throw badRequest(`Idempotency-Key ${key.error.message}`, [key.error]);
    const request = {
      channel: b.channel, ...(b.template !== undefined ? { template: b.template } : {}), ...(b.body !== undefined ? { body: b.body } : {}), ...(b.subject !== undefined ? { subject: b.subject } : {}),
    };
    const r = await inTransaction(this.ds, (tx) => this.messages.request(tx, id, agent, request, key.key));
    return answer(r);
  }
}

function answer(r: MessageOutcome) {
  if (r.ok) return toMessageJson(r.message, r.duplicate);
  const f = r.refusal;
  switch (f.status) {
    case 400:
    case 422:
      throw new ProblemException(f.status, `${f.field} ${f.reason}`, [{ field: f.field, message: f.reason }]);
    case 404:
      throw notFound(f.reason);
    case 409:
      throw conflict(f.reason);
    case 403:
      throw forbidden({ status: 403, detail: f.reason, requiredRoles: f.requiredRoles });
    default:
      throw new ProblemException(f.status, f.reason);
  }
}
