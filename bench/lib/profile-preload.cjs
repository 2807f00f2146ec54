// Profiling aid for the bench's services (not part of any figure): counts pg statements per SQL text with their wall
// time, and runs V8's sampling profiler (`--cpu-prof` is refused in NODE_OPTIONS). Use it as
//   BENCH_SERVICE_NODE_OPTIONS="--max-old-space-size=128 -r $PWD/bench/lib/profile-preload.cjs" BENCH_SKIP=… node bench/run.mjs --closeloop-only
// and create <tmpdir>/closeloop-profile/stop when the phase of interest is over: each process then writes
// sql-<service>-<pid>.txt (count, total ms, statement), memory-<service>-<pid>.json (RSS by part, at the end and at the highest RSS) and <service>-<pid>.cpuprofile
// (open in Chrome DevTools) there.
// <tmpdir> is the bench's TMPDIR (bench/run.mjs passes it to the services), else /tmp: give each run its own TMPDIR
// when other runs may profile on the same machine, or one's stop file stops the other's profiles.
const fs = require('fs');
const os = require('os');
const path = require('path');
const inspector = require('inspector');

const dir = path.join(os.tmpdir(), 'closeloop-profile');
fs.mkdirSync(dir, { recursive: true });
const name = process.argv[1] ? path.basename(path.dirname(path.dirname(process.argv[1]))) : 'node';
const stats = new Map();
try {
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config) {
    const text = typeof config === 'string' ? config : config && config.text;
    const key = String(text || '?').replace(/\s+/g, ' ').slice(0, 160);
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { n: 0, ns: 0n }));
    s.n++;
    const t0 = process.hrtime.bigint();
    const r = query.apply(this, arguments);
    const done = () => { s.ns += process.hrtime.bigint() - t0; };
    if (r && typeof r.then === 'function') r.then(done, done);
    return r;
  };
} catch {
  /* no pg here */
}

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
// the breakdown at the highest RSS seen (sampled every 100 ms): the bench reports the peak, not the end
const mbOf = (n) => Math.round((n / 1048576) * 10) / 10;
const sampleMemory = () => ({
  usage: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mbOf(v)])),
  spaces: Object.fromEntries(require('v8').getHeapSpaceStatistics().map((x) => [x.space_name, { size: mbOf(x.space_size), used: mbOf(x.space_used_size) }])),
});
let peak = sampleMemory();
let peakWritten = 0;
const memoryFile = path.join(dir, `memory-${name}-${process.pid}.json`);
const sampler = setInterval(() => {
  if (process.memoryUsage.rss() / 1048576 <= peak.usage.rss) return;
  peak = sampleMemory();
  // written as it rises (at most once a second): a service the bench stops never reaches the stop file
  if (Date.now() - peakWritten < 1_000) return;
  peakWritten = Date.now();
  fs.writeFileSync(memoryFile, `${JSON.stringify({ atPeakRss: peak }, null, 1)}\n`);
}, 100);
sampler.unref();
const timer = setInterval(() => {
  if (!fs.existsSync(path.join(dir, 'stop'))) return;
  clearInterval(sampler);
  clearInterval(timer);
  const rows = [...stats.entries()].sort((a, b) => b[1].n - a[1].n).map(([k, v]) => `${v.n}\t${(Number(v.ns) / 1e6).toFixed(0)}ms\t${k}`);
  fs.writeFileSync(path.join(dir, `sql-${name}-${process.pid}.txt`), `${rows.join('\n')}\n`);
  // where the RSS is: V8's heap spaces, external memory and array buffers (MB), at the moment the phase ended
  fs.writeFileSync(memoryFile, `${JSON.stringify({ atEnd: sampleMemory(), atPeakRss: peak }, null, 1)}\n`);
  session.post('Profiler.stop', (err, r) => {
    if (!err) fs.writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
  });
}, 500);
timer.unref();
