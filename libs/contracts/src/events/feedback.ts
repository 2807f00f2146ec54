import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean, IsEmail, IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, Min,
  ValidateNested, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface, Validate, IsArray, ArrayMaxSize,
} from 'class-validator';
import { CLASSIFICATIONS, Classification, E164, METRICS, METRIC_SCALES, Metric, SEVERITIES, Severity } from '../scales';
import { Personal } from '../personal-fields';

@ValidatorConstraint({ name: 'scoreInScale' })
class ScoreInScale implements ValidatorConstraintInterface {
  validate(score: unknown, args: ValidationArguments): boolean {
    const metric = (args.object as { metric?: Metric }).metric;
    const scale = metric ? METRIC_SCALES[metric] : undefined;
    if (!scale) return true; // the metric error is reported on `metric` itself
    return typeof score === 'number' && Number.isInteger(score) && score >= scale.min && score <= scale.max;
  }
  defaultMessage(args: ValidationArguments): string {
    const metric = (args.object as { metric?: Metric }).metric as Metric;
    const s = METRIC_SCALES[metric];
    return `must be an integer from ${s.min} to ${s.max} for metric ${metric}`;
  }
}

export class CustomerDto {
  @IsString() @IsNotEmpty() @MaxLength(200)
  id: string;

  @IsOptional() @Personal() @IsString() @MaxLength(200)
  name?: string;

  @IsOptional() @Personal() @IsEmail({}, { message: 'must be an email address' })
  email?: string;

  @IsOptional() @Personal() @Matches(E164, { message: 'must be an E.164 phone number like +905551234567' })
  phone?: string;

  @IsOptional() @IsString() @MaxLength(35)
  locale?: string;
}

/** SPEC §11: the source of answers on Closeloop's own recheck page (published by notification); no one else may use it. */
export const RECHECK_SOURCE = 'closeloop-recheck';

/** One customer response, as submitted to ingest (SPEC §4). */
export class FeedbackDto {
  @IsString() @IsNotEmpty() @MaxLength(100)
  source: string;

  @IsString() @IsNotEmpty() @MaxLength(200)
  externalId: string;

  @IsString() @IsNotEmpty() @MaxLength(100)
  touchpoint: string;

  @IsOptional() @IsString() @MaxLength(50)
  channel?: string;

  @IsIn(METRICS as Metric[], { message: 'must be one of nps, csat, ces' })
  metric: Metric;

  @IsInt({ message: 'must be an integer' }) @Validate(ScoreInScale)
  score: number;

  @IsOptional() @Personal() @IsString() @MaxLength(10_000)
  comment?: string;

  @ValidateNested() @Type(() => CustomerDto) @IsObject({ message: 'must be an object with at least an id' })
  customer: CustomerDto;

  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date-time' })
  respondedAt: string;

  @IsOptional() @IsObject()
  attributes?: Record<string, unknown>;
}

/** cx.feedback.received.v1 — `feedback.received` */
export class FeedbackReceivedData extends FeedbackDto {
  @IsString() @IsNotEmpty()
  feedbackId: string;

  @IsISO8601()
  receivedAt: string;

  /**
   * SPEC §10: 1 for the first content of (source, externalId), + 1 for each changed score or comment. Events
   * published before revisions existed have none: read them with `revisionOf` (1).
   */
  @IsOptional() @IsInt() @Min(1)
  revision?: number;
}

/** The revision of a received feedback; an event from before revisions existed is revision 1. */
export function revisionOf(feedback: Pick<FeedbackReceivedData, 'revision'>): number {
  return feedback.revision ?? 1;
}

export class ReasonDto {
  /** Which rule fired, e.g. `score-at-or-below-threshold`, `critical-keyword`, `repeat-negative`. */
  @IsString() @IsNotEmpty()
  rule: string;

  @IsString()
  detail: string;
}

/** cx.feedback.scored.v1 — `feedback.scored` */
export class FeedbackScoredData {
  @IsString() @IsNotEmpty()
  feedbackId: string;

  @ValidateNested() @Type(() => FeedbackReceivedData)
  feedback: FeedbackReceivedData;

  @IsIn(CLASSIFICATIONS as Classification[])
  classification: Classification;

  /** The score's class is the bad one of its metric (detractor / negative). */
  @IsBoolean()
  negative: boolean;

  @IsBoolean()
  actionRequired: boolean;

  @IsIn(SEVERITIES as Severity[])
  severity: Severity;

  @IsString() @IsNotEmpty()
  team: string;

  @IsArray() @ValidateNested({ each: true }) @Type(() => ReasonDto)
  reasons: ReasonDto[];

  @IsArray() @IsString({ each: true }) @ArrayMaxSize(100)
  matchedKeywords: string[];

  @IsISO8601()
  scoredAt: string;
}
