import { histogramQuantile, histograms, parsePrometheusText } from './prometheus';

const TEXT = `# HELP closeloop_message_handle_seconds Time to handle one message
# TYPE closeloop_message_handle_seconds histogram
closeloop_message_handle_seconds_bucket{le="0.01",topic="cx.feedback.scored.v1",group="tickets",service="tickets"} 5
closeloop_message_handle_seconds_bucket{le="0.1",topic="cx.feedback.scored.v1",group="tickets",service="tickets"} 9
closeloop_message_handle_seconds_bucket{le="+Inf",topic="cx.feedback.scored.v1",group="tickets",service="tickets"} 10
closeloop_message_handle_seconds_sum{topic="cx.feedback.scored.v1",group="tickets",service="tickets"} 0.7
closeloop_message_handle_seconds_count{topic="cx.feedback.scored.v1",group="tickets",service="tickets"} 10
process_cpu_seconds_total{service="tickets"} 1.5 1700000000000
weird_label{a="x\\"y"} 1
`;

describe('Prometheus text', () => {
  it('parses samples with labels, escapes and timestamps, skipping comments', () => {
    const s = parsePrometheusText(TEXT);
    expect(s).toHaveLength(7);
    expect(s.find((x) => x.name === 'process_cpu_seconds_total')).toEqual({ name: 'process_cpu_seconds_total', labels: { service: 'tickets' }, value: 1.5 });
    expect(s.find((x) => x.name === 'weird_label')?.labels).toEqual({ a: 'x"y' });
  });

  it('groups a histogram and answers quantiles like histogram_quantile', () => {
    const [h] = histograms(parsePrometheusText(TEXT), 'closeloop_message_handle_seconds', ['group', 'topic']);
    expect(h).toMatchObject({ labels: { group: 'tickets', topic: 'cx.feedback.scored.v1' }, count: 10, sum: 0.7 });
    expect(histogramQuantile(0.5, h.buckets)).toBeCloseTo(0.01); // rank 5 is the top of the first bucket
    expect(histogramQuantile(0.7, h.buckets)).toBeCloseTo(0.01 + (0.09 * 2) / 4); // interpolated in (0.01, 0.1]
    expect(histogramQuantile(0.99, h.buckets)).toBe(0.1); // +Inf bucket → highest finite bound
  });

  it.each([
    [[], null],
    [[{ le: Infinity, count: 0 }], null],
  ])('an empty histogram has no quantile (%j)', (buckets, expected) => {
    expect(histogramQuantile(0.5, buckets)).toBe(expected);
  });
});
