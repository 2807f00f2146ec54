import { KafkaUnavailableError } from '@closeloop/messaging';
import { ackWithin } from './kafka-link';

describe('ackWithin', () => {
  it('passes the acknowledgement through', async () => {
    await expect(ackWithin(Promise.resolve('acked'), 1_000)).resolves.toBe('acked');
  });

  it('passes a send failure through', async () => {
    await expect(ackWithin(Promise.reject(new KafkaUnavailableError('broker gone')), 1_000)).rejects.toThrow('broker gone');
  });

  it('gives up after the timeout with KafkaUnavailableError (the request becomes a 503)', async () => {
    const started = Date.now();
    const err: unknown = await ackWithin(new Promise(() => undefined), 50).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaUnavailableError);
    expect((err as Error).message).toBe('no acknowledgement within 50 ms');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not leave an unhandled rejection when the send fails after the timeout', async () => {
    let fail!: (e: Error) => void;
    const late = new Promise<never>((_, reject) => (fail = reject));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await expect(ackWithin(late, 10)).rejects.toBeInstanceOf(KafkaUnavailableError);
      fail(new Error('late failure'));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
