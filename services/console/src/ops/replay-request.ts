import { IsInt, IsNotEmpty, IsString, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

@ValidatorConstraint({ name: 'kafkaOffset' })
class KafkaOffset implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v));
  }
  defaultMessage(): string {
    return 'must be a non-negative integer (number or string)';
  }
}

/** POST /api/ops/dlq/replay: which dead letter (offsets as strings too: Kafka's are 64-bit). */
export class ReplayRequest {
  @IsString({ message: 'must be the name of a .dlq topic' }) @IsNotEmpty({ message: 'must be the name of a .dlq topic' })
  topic!: string;

  @IsInt({ message: 'must be an integer ≥ 0' }) @Min(0, { message: 'must be an integer ≥ 0' })
  partition!: number;

  @Validate(KafkaOffset)
  offset!: number | string;
}
