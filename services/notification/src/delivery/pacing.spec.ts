import { isPacedPost, PACED_PURPOSES, wakeBucket } from './pacing';

describe('isPacedPost: what takes a Slack channel slot before it goes out', () => {
  it.each([
    ['slack', 'alert', true],
    ['slack', 'thread_reply', true],
    ['slack', 'digest', true],
    // chat.update is not a new message; a response_url answer is not a channel post
    ['slack', 'update', false],
    ['slack', 'ephemeral', false],
    // the log channel and other providers have no Slack limit
    ['log', 'alert', false],
    ['log', 'thread_reply', false],
    ['sms', 'sms', false],
    ['sms', 'customer_sms', false],
    ['email', 'email', false],
    ['email', 'customer_email', false],
  ] as const)('%s %s → %s', (channel, purpose, paced) => {
    expect(isPacedPost({ channel, purpose })).toBe(paced);
  });

  it('is the list the claim filters by', () => {
    expect([...PACED_PURPOSES].sort()).toEqual(['alert', 'digest', 'thread_reply']);
  });
});

describe('wakeBucket: timed wake-ups share a claim per bucket, never before they are due', () => {
  it.each([
    [1_000, 20, 1_000],
    [1_001, 20, 1_020],
    [1_019.5, 20, 1_020],
    [1_020, 20, 1_020],
    [0, 20, 0],
    [1_234.2, 1, 1_235],
    [1_234.2, 0, 1_235],
  ])('%d ms on a %d ms grid → %d', (at, bucket, expected) => {
    expect(wakeBucket(at, bucket)).toBe(expected);
  });

  it('puts wake-ups close together on one instant, and is never earlier than asked', () => {
    const at = [10_001, 10_007, 10_019, 10_020];
    expect(new Set(at.map((t) => wakeBucket(t, 20)))).toEqual(new Set([10_020]));
    for (let t = 0; t < 200; t += 0.7) expect(wakeBucket(t, 20)).toBeGreaterThanOrEqual(t);
  });
});
