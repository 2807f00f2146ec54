import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { Agent } from '@closeloop/contracts';
import { Requires } from '@closeloop/platform';
import { AgentAuthGuard, CurrentAgent } from '../api/auth.guard';
import { badRequest, notFound } from '../api/problem';
import { AgentApi, ApiRoute } from '../openapi/openapi';
import { ErasureService } from './erasure.service';

/** As feedback carries it (SPEC §4: `customer.id`, at most 200 characters). */
export const CUSTOMER_ID_MAX = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a customer id in the path cannot be erased, or null when it can. */
export function customerIdProblem(id: string): string | null {
  if (id.trim() === '') return 'must not be empty';
  if (id.length > CUSTOMER_ID_MAX) return `must be at most ${CUSTOMER_ID_MAX} characters (a customer id as feedback carries it)`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'must not contain control characters';
  return null;
}

/** SPEC §13: erasing a customer everywhere Closeloop wrote them (admins only), and how far it got. */
@AgentApi('privacy')
@Controller('v1')
@UseGuards(AgentAuthGuard)
export class ErasureController {
  constructor(private readonly erasures: ErasureService) {}

  @ApiRoute({
    summary: 'Erase a customer everywhere (admin): 202 with the erasure id; the customer\'s unfinished erasure answers its own id (and is retried when a store failed)',
    ok: { status: 202, schema: 'ErasureAccepted' }, problems: [400, 403],
  })
  @Post('customers/:id/erase')
  @HttpCode(202)
  @Requires('customers.erase')
  async erase(@Param('id') id: string, @CurrentAgent() agent: Agent) {
    const problem = customerIdProblem(id);
    if (problem) throw badRequest(`the customer id ${problem}`, [{ field: 'id', message: problem }]);
    const r = await this.erasures.request(id, agent.id);
    return { erasureId: r.erasureId };
  }

  @ApiRoute({ summary: 'An erasure\'s status, per store (admin)', ok: { status: 200, schema: 'Erasure' }, problems: [403, 404] })
  @Get('erasures/:erasureId')
  @Requires('customers.erase')
  async get(@Param('erasureId') erasureId: string) {
    const view = UUID.test(erasureId) ? await this.erasures.view(erasureId) : null;
    if (!view) throw notFound(`no erasure ${erasureId}`);
    return view;
  }
}
