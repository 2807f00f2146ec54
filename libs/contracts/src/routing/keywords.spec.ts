import { foldKeywordCase } from './keywords';

describe('foldKeywordCase', () => {
  it.each([
    ['Lawyer', 'lawyer'],
    ['İADE', 'iade'],
    ['İade edin', 'iade edin'],
    ['ŞİKÂYET', 'şikâyet'],
    ['ıslak', 'ıslak'],
    ['律師', '律師'],
    ['ＲＥＦＵＮＤ', 'refund'], // full-width
    ['עורך דין', 'עורך דין'],
    ['PENGACARA', 'pengacara'],
    ['Cafe\u0301', 'café'], // decomposed é composes
  ])('%s → %s', (input, folded) => {
    expect(foldKeywordCase(input)).toBe(folded);
  });
});
