import { PartitionAnswer, unanswered } from './unanswered';

const m = (topic: string, partition: number, id: string) => ({ topic, partition, id });
const a = (topicName: string, partition: number, errorCode = 0): PartitionAnswer => ({ topicName, partition, errorCode });

describe('unanswered', () => {
  it.each<[string, ReturnType<typeof m>[], PartitionAnswer[], string[]]>([
    ['every partition answered', [m('t', 0, 'a'), m('t', 1, 'b'), m('t', 0, 'c')], [a('t', 0), a('t', 1)], []],
    ['nothing sent', [], [a('t', 0)], []],
    // kafkajs#1303: broker 1 (partitions 1, 4) failed, its partitions moved to broker 2 which had answered already
    ['the partitions of a broker that failed and whose partitions moved', [m('t', 0, 'a'), m('t', 1, 'b'), m('t', 4, 'c'), m('t', 2, 'd')], [a('t', 0), a('t', 2)], ['b', 'c']],
    ['the same partition of another topic is another partition', [m('t', 0, 'a'), m('u', 0, 'b')], [a('t', 0)], ['b']],
    ['an answer with an error is no answer', [m('t', 3, 'a')], [a('t', 3, 6)], ['a']],
    ['no answer at all', [m('t', 0, 'a'), m('u', 5, 'b')], [], ['a', 'b']],
    ['order kept', [m('t', 2, 'a'), m('t', 1, 'b'), m('t', 2, 'c')], [], ['a', 'b', 'c']],
  ])('%s', (_what, sent, answers, left) => {
    expect(unanswered(sent, answers).map((x) => x.id)).toEqual(left);
  });
});
