import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';

export class DigestLeadDto {
  @IsString() @IsNotEmpty() agentId: string;
  @IsString() @IsNotEmpty() slackUserId: string;
}

/**
 * cx.team.digests.v1 (key: team id) — `team.digest`: yesterday's numbers of one team for its leads (SPEC §12), once per
 * team and local day. The numbers are the report's (GET /v1/reports/summary) over yesterday, local midnight to midnight.
 */
export class TeamDigestData {
  @IsString() @IsNotEmpty() team: string;
  /** the local date reported on (yesterday, in the digest's time zone) */
  @Matches(/^\d{4}-\d{2}-\d{2}$/) day: string;
  @IsISO8601() from: string;
  @IsISO8601() to: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => DigestLeadDto) leads: DigestLeadDto[];
  @IsInt() @Min(0) opened: number;
  @IsInt() @Min(0) resolved: number;
  @IsInt() @Min(0) breached: number;
  @IsOptional() @IsNumber() medianClaimMs?: number;
  @IsOptional() @IsNumber() medianResolveMs?: number;
  @IsOptional() @IsNumber() nps?: number;
  @IsInt() @Min(0) npsResponses: number;
}
