import type { TicketJson } from '../tickets/ticket-views';

/**
 * The ticket list as CSV (SPEC §12, `GET /v1/tickets/export.csv`). Pure. RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180):
 * records end in CRLF; a field holding a comma, a double quote, CR or LF is quoted, and a quote inside it is doubled.
 * The file starts with a UTF-8 byte order mark, which Excel needs to read Turkish, Chinese or Hebrew as UTF-8.
 *
 * Spreadsheet formula injection (OWASP, https://owasp.org/www-community/attacks/CSV_Injection): a cell whose text
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by spreadsheet programs, so such a
 * cell gets a leading `'` (the customer writes the comment; a comment "=HYPERLINK(…)" must stay text).
 */
export const CSV_BOM = '\uFEFF';
export const CRLF = '\r\n';

export const CSV_COLUMNS = [
  'id', 'status', 'severity', 'team', 'touchpoint', 'customer id', 'metric', 'score', 'comment', 'assignee', 'openedAt', 'claimedAt', 'resolvedAt', 'rootCause',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null/undefined is empty; formula-looking text gets a leading `'`; quoted when RFC 4180 asks for it. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: readonly (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',') + CRLF;
}

export function csvHeader(): string {
  return CSV_BOM + csvRecord(CSV_COLUMNS);
}

/** A ticket as one CSV record, in `CSV_COLUMNS` order (the assignee by id, as `assignee=` filters). */
export function ticketCsvRecord(t: TicketJson): string {
  return csvRecord([
    t.id, t.status, t.severity, t.team, t.touchpoint, t.customer.id, t.metric, t.score, t.comment, t.assignee?.id ?? null,
    t.openedAt, t.claimedAt, t.resolvedAt, t.rootCause,
  ]);
}
