import { contentDigest, decideRevision } from './revisions';

const digest = (score: number, comment?: string) => contentDigest({ score, comment });

describe('decideRevision (SPEC §10)', () => {
  it.each([
    ['first seen → revision 1', undefined, digest(7), { revision: 1, duplicate: false }],
    ['the same score and comment → a duplicate of the current revision', { revision: 1, digest: digest(7), published: true }, digest(7), { revision: 1, duplicate: true }],
    ['the same content as revision 4 → duplicate, revision 4', { revision: 4, digest: digest(7, 'refund'), published: true }, digest(7, 'refund'), { revision: 4, duplicate: true }],
    ['the same content as a revision whose publish was never confirmed → that revision, sent again', { revision: 4, digest: digest(7, 'refund'), published: false }, digest(7, 'refund'), { revision: 4, duplicate: false }],
    ['other content than an unconfirmed revision → the next one (a number that may be on Kafka is never reused)', { revision: 4, digest: digest(7, 'refund'), published: false }, digest(7, 'late'), { revision: 5, duplicate: false }],
    ['a comment added → the next revision', { revision: 1, digest: digest(7), published: true }, digest(7, 'refund'), { revision: 2, duplicate: false }],
    ['the score changed → the next revision', { revision: 2, digest: digest(7, 'refund'), published: true }, digest(3, 'refund'), { revision: 3, duplicate: false }],
    ['back to an earlier content → still a new revision (the latest content received wins)', { revision: 2, digest: digest(7, 'refund'), published: true }, digest(7), { revision: 3, duplicate: false }],
  ])('%s', (_name, current, d, expected) => expect(decideRevision(current, d)).toEqual(expected));
});

describe('contentDigest', () => {
  it.each([
    ['score', digest(7), digest(8), false],
    ['comment', digest(7, 'slow'), digest(7, 'Slow'), false],
    ['comment added', digest(7), digest(7, 'slow'), false],
    ['missing and empty comment', digest(7), digest(7, ''), true],
    ['the same content', digest(7, 'çok kaba'), digest(7, 'çok kaba'), true],
    ['a number as text is not the number', contentDigest({ score: 7, comment: '7' }), contentDigest({ score: 7 }), false],
  ])('%s: equal %s', (_name, a, b, equal) => expect(a === b).toBe(equal));

  it('is a fixed-length hex string (kept in Postgres, never the comment itself)', () => {
    expect(digest(3, 'Garsonlar çok kaba')).toMatch(/^[0-9a-f]{64}$/);
  });
});
