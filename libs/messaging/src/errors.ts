/** A failure that will never succeed on retry (bad reference, impossible state): dead-letter at once. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** An event failed its contract on the producing side: a bug, never sent. */
export class InvalidEventError extends Error {
  constructor(topic: string, type: string, public readonly errors: { field: string; message: string }[]) {
    super(`refusing to send invalid ${type} to ${topic}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/** Kafka is unreachable or did not acknowledge in time. */
export class KafkaUnavailableError extends Error {
  constructor(message: string, public override readonly cause?: unknown) {
    super(message);
    this.name = 'KafkaUnavailableError';
  }
}
