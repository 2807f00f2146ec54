// `npm run bench`: the benchmarks — Kafka's own performance tools and Closeloop on the same broker, one run, one
// machine. The harness and its method live in bench/ (bench/README.md); results in bench/results/latest.json.
// Never part of `npm test`.
import { runBench } from '../bench/run.mjs';

runBench().then(
  (res) => process.exit(res.errors.some((e) => e.startsWith('bench aborted')) ? 1 : 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
