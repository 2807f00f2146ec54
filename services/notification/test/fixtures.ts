import { makeEnvelope, parseRoutingConfig, type RoutingConfig, type TicketEvent, type TicketEventData, type TicketEventType, type TicketSnapshot } from '@closeloop/contracts';

/**
 * A routing file for tests: one team with quiet hours, one without, one without a Slack channel, one with a mailbox,
 * and three that read their alerts in Turkish, Hebrew and Chinese (SPEC §14).
 */
export function routingYaml(opts: { cxQuietHours?: { start: string; end: string; timezone: string } } = {}): string {
  const qh = opts.cxQuietHours ?? { start: '22:00', end: '07:00', timezone: 'Europe/Istanbul' };
  return `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: ["+905551112233", "+905551112244"]
    quietHours: { start: "${qh.start}", end: "${qh.end}", timezone: "${qh.timezone}" }
    sla: { firstResponse: PT1H, resolve: PT48H }
    escalation:
      - { after: PT15M, notify: [oncall-sms] }
      - { after: PT45M, notify: [lead-sms, lead-email, channel-mention] }
  - id: support
    slackChannel: C0SUPPORT
    slackUserGroup: S0SUPPORT
    onCall: ["+972501234567"]
    sla: { firstResponse: PT2H, resolve: P3D }
    escalation: [{ after: PT10M, notify: [channel-mention, oncall-sms] }]
  - id: quiet
    onCall: []
    sla: { firstResponse: PT2H, resolve: P3D }
  - id: leads
    slackChannel: C0LEADS
    email: ["leads@example.com", "ops@example.com"]
    sla: { firstResponse: PT1H, resolve: P2D }
  - id: istanbul
    locale: tr
    slackChannel: C0TR
    quietHours: { start: "23:00", end: "06:00", timezone: "Europe/Istanbul" }
    sla: { firstResponse: PT1H, resolve: P2D }
  - id: telaviv
    locale: he
    timezone: Asia/Jerusalem
    slackChannel: C0HE
    sla: { firstResponse: PT1H, resolve: P2D }
  - id: taipei
    locale: zh
    timezone: Asia/Taipei
    slackChannel: C0ZH
    onCall: ["+886912345678"]
    sla: { firstResponse: PT1H, resolve: P2D }
touchpoints:
  - { id: dine-in, team: cx }
  - { id: checkout, team: support }
  - { id: kiosk, team: quiet }
  - { id: table, team: leads }
  - { id: kasa, team: istanbul }
  - { id: masa, team: telaviv }
  - { id: guitai, team: taipei }
keywords:
  critical: [lawyer]
  alert: [refund]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
  - { id: noa, name: "Noa Levi", team: support, slackUserId: U0NOA }
  - { id: lale, name: "Lale Kaya", team: cx, role: lead, slackUserId: U0LALE, phone: "+905550000009", email: "lale@example.com" }
rootCauses: [staff-behaviour, wait-time, billing, other]
templates:
  apology:
    en: { sms: "Hi {{customer.name}}, this is {{agent.name}}. We are sorry about your {{touchpoint}} visit." }
    tr: { sms: "Merhaba {{customer.name}}, ben {{agent.name}}. {{touchpoint}} ziyaretiniz için özür dileriz." }
`;
}

export function testRouting(opts: Parameters<typeof routingYaml>[0] = {}): RoutingConfig {
  const r = parseRoutingConfig(routingYaml(opts), 'test-routing.yaml');
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

export const TICKET_ID = '7f2c1a9e-1111-4222-8333-444455556666';

export function snapshot(over: Partial<TicketSnapshot> = {}): TicketSnapshot {
  return {
    id: TICKET_ID,
    customerId: 'c-42',
    customerName: 'Deniz',
    touchpoint: 'dine-in',
    team: 'cx',
    status: 'open',
    severity: 'normal',
    metric: 'nps',
    score: 3,
    comment: 'Garsonlar çok kaba, yemek 40 dakika sürdü',
    locale: 'tr',
    feedbackCount: 1,
    openedAt: '2026-11-23T10:00:00.000Z',
    firstResponseDue: '2026-11-23T11:00:00.000Z',
    resolveDue: '2026-11-25T10:00:00.000Z',
    version: 1,
    ...over,
  };
}

/** A ticket event as tickets publishes it, with its snapshot. */
export function ticketEvent(
  type: TicketEventType,
  over: Omit<Partial<TicketEventData>, 'ticket'> & { ticket?: Partial<TicketSnapshot> } = {},
  opts: { eventId?: string; occurredAt?: string } = {},
): TicketEvent & { data: { ticket: TicketSnapshot } } {
  const { ticket, ...rest } = over;
  const data: TicketEventData = { ticket: snapshot(ticket), actor: { kind: 'system' }, ...rest };
  return makeEnvelope(type, data, 'tickets', opts) as TicketEvent & { data: { ticket: TicketSnapshot } };
}
