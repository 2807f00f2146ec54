import 'reflect-metadata';
import { IsArray, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, IsUUID, Min } from 'class-validator';

export const TREND_EVENT_TYPES = ['trend.opened', 'trend.updated', 'trend.ended'] as const;
export type TrendEventType = (typeof TREND_EVENT_TYPES)[number];

export const TREND_STATUSES = ['open', 'ended'] as const;
export type TrendStatus = (typeof TREND_STATUSES)[number];

/**
 * cx.trend.events.v1 (key: trend id) — a spike of action-required feedback in one group of a team (SPEC §12, ADR 0020).
 * Every event carries the whole trend as it stands, so a consumer renders from it alone; `version` orders them.
 */
export class TrendEventData {
  @IsUUID('all') trendId: string;
  @IsIn(TREND_STATUSES as unknown as string[]) status: TrendStatus;
  /** the team whose channel hears about it */
  @IsString() @IsNotEmpty() team: string;
  /** the routing file's `trends.by` keys and this group's values, e.g. { touchpoint: "checkout", "attributes.store": "ist-1" } */
  @IsObject() group: Record<string, string>;
  /** the `trends.window` the counts are over (ISO-8601) */
  @IsString() @IsNotEmpty() window: string;
  /** action-required feedback in the last window, at the last pass that saw the spike */
  @IsInt() @Min(0) count: number;
  /** the most feedback the group had in one window while the spike lasted */
  @IsInt() @Min(0) peak: number;
  /** the group's usual rate: feedback per window, averaged over the 7 days before the window */
  @IsNumber() @Min(0) baseline: number;
  /** every ticket the spike's feedback opened or was attached to, oldest first */
  @IsArray() @IsString({ each: true }) ticketIds: string[];
  @IsISO8601() openedAt: string;
  @IsOptional() @IsISO8601() endedAt?: string;
  /** 1 when opened, +1 with each event: a consumer ignores an event older than one it applied */
  @IsInt() @Min(1) version: number;
}
