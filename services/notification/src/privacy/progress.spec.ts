import { storeOutcome } from './progress';

describe('storeOutcome', () => {
  it.each([
    [0, 0, [], { status: 'done', erased: 0 }],
    [3, 0, [], { status: 'done', erased: 3 }],
    [2, 1, ['cant_update_message'], { status: 'failed', erased: 2, reason: '1/3 failed: cant_update_message' }],
    [0, 3, ['twilio_20003', 'cant_update_message', 'twilio_20003'], { status: 'failed', erased: 0, reason: '3/3 failed: cant_update_message, twilio_20003' }],
  ])('%i done, %i failed (%j) → %j', (done, failed, reasons, expected) => {
    expect(storeOutcome(done, failed, reasons)).toEqual(expected);
  });
});
