import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Agent, RoutingConfig } from '@closeloop/contracts';
import { Requires, enforce, forbidden, permissionsOf, teamInScope } from '@closeloop/platform';
import { csvHeader, ticketCsvRecord } from '../export/csv';
import { AgentApi, ApiCsv, ApiRoute } from '../openapi/openapi';
import { TicketRepository } from '../persistence/ticket.repository';
import { ChangeResult, TicketService, isTicketId } from '../tickets/ticket.service';
import { toFeedbackJson, toTicketJson, toTimelineJson } from '../tickets/ticket-views';
import { inTransaction } from '../tickets/tx';
import { ROUTING } from '../tokens';
import { AgentAuthGuard, CurrentAgent } from './auth.guard';
import { AssignBody, ListTicketsQuery, NoteBody, ReopenBody, ResolveBody } from './dto';
import { MAX_LIMIT, encodeCursor, parseListQuery } from './list-query';
import { ProblemException, badRequest, conflict, notFound, unprocessable, validated } from './problem';

/** The agent API (SPEC §6). Every route needs `Authorization: Bearer <API token>`. */
@Controller('v1')
@UseGuards(AgentAuthGuard)
@AgentApi('tickets')
export class TicketsController {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: TicketRepository,
    private readonly tickets: TicketService,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  @ApiRoute({ summary: 'Who the token is: agent, team, role and permissions', ok: { status: 200, schema: 'Me' } })
  @Get('me')
  @Requires('session')
  me(@CurrentAgent() agent: Agent) {
    return { agent: { id: agent.id, name: agent.name, team: agent.team, role: agent.role }, permissions: permissionsOf(agent.role) };
  }

  /** Newest first; `nextCursor` fetches the next page with the same filters. */
  @ApiRoute({ summary: 'Tickets, newest first, filtered (status, team, touchpoint, assignee, severity, customer; limit, cursor)', ok: { status: 200, schema: 'TicketList' }, problems: [400, 403] })
  @Get('tickets')
  @Requires('tickets.read')
  async list(@Query() query: unknown, @CurrentAgent() agent: Agent) {
    const p = this.listQuery(query, agent, 'tickets.read');
    const rows = await this.repo.list(this.ds.manager, p.filter, p.limit, p.after);
    const page = rows.slice(0, p.limit);
    return {
      items: page.map((r) => toTicketJson(r.ticket, this.tickets.nameOf)),
      nextCursor: rows.length > p.limit ? encodeCursor(page[page.length - 1].position) : null,
    };
  }

  /**
   * Every ticket `GET /v1/tickets` would list with the same filters (all pages, newest first, from `cursor` when
   * given; `limit` is checked as for the list but the export is never cut short) as an RFC 4180 CSV file
   * (src/export/csv.ts). Declared before `tickets/:id`, which would take `export.csv` for an id.
   */
  @ApiRoute({ summary: 'Every ticket the list would show with the same filters, as CSV (lead, admin)', ok: { status: 200, description: 'text/csv' }, problems: [400, 403] })
  @ApiCsv()
  @Get('tickets/export.csv')
  @Requires('tickets.export')
  async exportCsv(@Query() query: unknown, @CurrentAgent() agent: Agent, @Res() res: ServerResponse): Promise<void> {
    // role: lead, admin (SPEC §12)
    const p = this.listQuery(query, agent, 'tickets.export');
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
    res.setHeader('Content-Disposition', `attachment; filename="tickets-${new Date().toISOString().slice(0, 10)}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(csvHeader());
    let after = p.after;
    for (;;) {
      const rows = await this.repo.list(this.ds.manager, p.filter, MAX_LIMIT, after);
      const page = rows.slice(0, MAX_LIMIT);
      if (page.length > 0 && !res.write(page.map((r) => ticketCsvRecord(toTicketJson(r.ticket, this.tickets.nameOf))).join(''))) {
        await new Promise((resolve) => res.once('drain', resolve));
      }
      if (rows.length <= MAX_LIMIT) break;
      after = page[page.length - 1].position;
    }
    res.end();
  }

  /** The list's query, checked, with the caller's team scope applied (another team is refused, no team means theirs). */
  private listQuery(query: unknown, agent: Agent, permission: 'tickets.read' | 'tickets.export') {
    const p = parseListQuery(validated(ListTicketsQuery, query, 'query'), this.routing, agent.id);
    if (!p.ok) throw badRequest('the ticket filter has invalid values', p.errors);
    const team = teamInScope(agent, permission, p.filter.team);
    if (team !== null) p.filter.team = team;
    return p;
  }

  @ApiRoute({ summary: 'A ticket, its feedback and its timeline', ok: { status: 200, schema: 'TicketDetail' }, problems: [403, 404] })
  @Get('tickets/:id')
  @Requires('tickets.read')
  async detail(@Param('id') id: string, @CurrentAgent() agent: Agent) {
    const ticket = isTicketId(id) ? await this.repo.find(this.ds.manager, id) : null;
    if (!ticket) throw notFound(`there is no ticket ${id}`);
    enforce(agent, 'tickets.read', ticket.team);
    const [feedback, timeline] = await Promise.all([this.repo.feedbackOf(this.ds.manager, id), this.repo.timelineOf(this.ds.manager, id)]);
    return {
      ticket: toTicketJson(ticket, this.tickets.nameOf),
      feedback: feedback.map((f) => toFeedbackJson(f.scored)),
      timeline: timeline.map(toTimelineJson),
    };
  }

  @ApiRoute({ summary: 'Claim: open → claimed by the caller', ok: { status: 200, schema: 'TicketAnswer' }, problems: [403, 404, 409] })
  @Post('tickets/:id/claim')
  @Requires('tickets.act')
  @HttpCode(200)
  async claim(@Param('id') id: string, @CurrentAgent() agent: Agent) {
    return this.answer(await inTransaction(this.ds, (tx) => this.tickets.claim(tx, id, agent, 'api')));
  }

  /** Sets the assignee without claiming (README, "Transitions"); an agent who is not of the ticket's team is 422. */
  @ApiRoute({ summary: 'Assign to an agent or lead of the team, without claiming (lead, admin)', body: 'AssignBody', ok: { status: 200, schema: 'TicketAnswer' }, problems: [400, 403, 404, 409, 422] })
  @Post('tickets/:id/assign')
  @Requires('tickets.assign')
  @HttpCode(200)
  async assign(@Param('id') id: string, @Body() body: unknown, @CurrentAgent() agent: Agent) {
    // role: lead, admin (SPEC §12)
    const b = validated(AssignBody, body, 'body');
    const r = await inTransaction(this.ds, (tx) => this.tickets.assign(tx, id, agent, b.agentId, 'api'));
    if (!r.ok && r.refusal.kind === 'invalid') throw unprocessable(`${r.refusal.field} ${r.refusal.reason}`, [{ field: r.refusal.field, message: r.refusal.reason }]);
    return this.answer(r);
  }

  @ApiRoute({ summary: 'Resolve with a root cause', body: 'ResolveBody', ok: { status: 200, schema: 'TicketAnswer' }, problems: [400, 403, 404, 409] })
  @Post('tickets/:id/resolve')
  @Requires('tickets.act')
  @HttpCode(200)
  async resolve(@Param('id') id: string, @Body() body: unknown, @CurrentAgent() agent: Agent) {
    const b = validated(ResolveBody, body, 'body');
    return this.answer(await inTransaction(this.ds, (tx) => this.tickets.resolve(tx, id, agent, b, 'api')));
  }

  @ApiRoute({ summary: 'Reopen a resolved ticket', body: 'ReopenBody', ok: { status: 200, schema: 'TicketAnswer' }, problems: [400, 403, 404, 409] })
  @Post('tickets/:id/reopen')
  @Requires('tickets.act')
  @HttpCode(200)
  async reopen(@Param('id') id: string, @Body() body: unknown, @CurrentAgent() agent: Agent) {
    const b = validated(ReopenBody, body, 'body');
    return this.answer(await inTransaction(this.ds, (tx) => this.tickets.reopen(tx, id, agent, b.reason)));
  }

  @ApiRoute({ summary: 'Add an internal note', body: 'NoteBody', ok: { status: 201, schema: 'NoteCreated' }, problems: [400, 403, 404] })
  @Post('tickets/:id/notes')
  @Requires('tickets.act')
  @HttpCode(201)
  async addNote(@Param('id') id: string, @Body() body: unknown, @CurrentAgent() agent: Agent) {
    const b = validated(NoteBody, body, 'body');
    const r = await inTransaction(this.ds, (tx) => this.tickets.addNote(tx, id, agent, b.body));
    const answer = this.answer(r);
    const note = { id: r.noteId, ticketId: id, author: { id: agent.id, name: agent.name }, body: b.body, createdAt: answer.ticket.updatedAt };
    return { note, ...answer };
  }

  private answer(r: ChangeResult): { ticket: ReturnType<typeof toTicketJson> } {
    if (r.ok) return { ticket: toTicketJson(r.ticket, this.tickets.nameOf) };
    const refusal = r.refusal;
    switch (refusal.kind) {
      case 'not_found':
        throw notFound(refusal.reason);
      case 'conflict':
        throw conflict(refusal.reason);
      case 'forbidden':
        throw forbidden({ status: 403, detail: refusal.reason, requiredRoles: refusal.requiredRoles });
      case 'invalid':
        throw badRequest(`${refusal.field} ${refusal.reason}`, [{ field: refusal.field, message: refusal.reason }]);
      default:
        throw new ProblemException(500, 'unexpected refusal');
    }
  }
}
