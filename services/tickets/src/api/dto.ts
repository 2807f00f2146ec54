import 'reflect-metadata';
import { IsBoolean, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be empty' };

export class NoteBody {
  @IsString() @Matches(NOT_BLANK, notBlank) @MaxLength(10_000)
  body: string;
}

/** `POST /v1/tickets/:id/assign` (SPEC §12): an agent or lead of the ticket's team (else 422 naming `agentId`). */
export class AssignBody {
  @IsString() @Matches(NOT_BLANK, notBlank) @MaxLength(200)
  agentId: string;
}

export class ResolveBody {
  /** checked against the routing file's `rootCauses` by the domain (400 naming `rootCause`) */
  @IsString() @Matches(NOT_BLANK, notBlank) @MaxLength(100)
  rootCause: string;

  @IsOptional() @IsString() @MaxLength(10_000)
  note?: string;

  @IsOptional() @IsBoolean({ message: 'must be true or false' })
  customerContacted?: boolean;

  /** SPEC §11: ask the customer again after the team's recheckAfter (the `recheck` template) */
  @IsOptional() @IsBoolean({ message: 'must be true or false' })
  recheck?: boolean;
}

export class ReopenBody {
  @IsString() @Matches(NOT_BLANK, notBlank) @MaxLength(2_000)
  reason: string;
}

const STATUS_LIST = /^(open|claimed|resolved)(,(open|claimed|resolved))*$/;
const SEVERITY_LIST = /^(normal|high|critical)(,(normal|high|critical))*$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;

/** Query of GET /v1/tickets: every value a string, as it comes off the URL. */
export class ListTicketsQuery {
  @IsOptional() @IsString() @Matches(STATUS_LIST, { message: 'must be open, claimed or resolved (comma-separated for several)' })
  status?: string;

  @IsOptional() @IsString() @Matches(SEVERITY_LIST, { message: 'must be normal, high or critical (comma-separated for several)' })
  severity?: string;

  @IsOptional() @IsString() @Matches(ID, { message: 'must be a team id' })
  team?: string;

  @IsOptional() @IsString() @Matches(ID, { message: 'must be a touchpoint id' })
  touchpoint?: string;

  @IsOptional() @IsString() @Matches(ID, { message: 'must be an agent id, "me" or "none"' })
  assignee?: string;

  @IsOptional() @IsString() @MaxLength(200)
  customer?: string;

  /** comma-separated ticket ids, up to 200: the tickets of a trend alert (SPEC §12) */
  @IsOptional() @IsString() @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}){0,199}$/i, { message: 'must be ticket ids, comma-separated (at most 200)' })
  ids?: string;

  @IsOptional() @IsString() @Matches(/^\d{1,4}$/, { message: 'must be an integer from 1 to 200' })
  limit?: string;

  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}

export class ReportQuery {
  @IsOptional() @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date or date-time' })
  from?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date or date-time' })
  to?: string;

  /** One team's numbers (SPEC §12: a lead always gets their own team's). */
  @IsOptional() @IsString()
  team?: string;
}
