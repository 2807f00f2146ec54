// Resource sampling from /proc (Linux): RSS of each service process and CPU time, per bench phase.
import { readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** VmRSS of a process in MB, or null when it is gone. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds a process has used, or null. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

/** Whole-machine CPU: busy and total jiffies from /proc/stat. */
function machineCpu() {
  try {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = v[3] + (v[4] || 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** f over one pid or the sum over a list of pids (null when none answers). */
function sum(pid, f) {
  const values = (Array.isArray(pid) ? pid : [pid]).map(f).filter((v) => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
}

/**
 * Samples RSS every `intervalMs` for the processes it is given; `phase(name)` starts a phase, `end()` closes it and
 * returns, per process, peak and mean RSS and CPU % (of one core) over the phase, plus whole-machine busy %.
 */
export class ProcSampler {
  constructor(intervalMs = 500) {
    this.intervalMs = intervalMs;
    this.pids = new Map();
    this.current = null;
    this.phases = {};
    this.timer = null;
  }

  /** `pid` may be a list (e.g. the database's backends): CPU is summed; RSS is summed too (not meaningful for Postgres). */
  track(name, pid) {
    this.pids.set(name, pid);
  }

  untrack(name) {
    this.pids.delete(name);
  }

  phase(name) {
    if (this.current) this.end();
    const cpu = {};
    for (const [n, pid] of this.pids) cpu[n] = sum(pid, cpuSeconds);
    this.current = { name, startedAt: Date.now(), cpu, machine: machineCpu(), rss: {} };
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  sample() {
    if (!this.current) return;
    for (const [n, pid] of this.pids) {
      const v = sum(pid, rssMb);
      if (v === null) continue;
      (this.current.rss[n] ??= []).push(v);
    }
  }

  end() {
    if (!this.current) return undefined;
    clearInterval(this.timer);
    this.sample();
    const p = this.current;
    this.current = null;
    const seconds = (Date.now() - p.startedAt) / 1000;
    const machine = machineCpu();
    const out = { seconds, processes: {}, machineBusyPct: null, loadAverage1mAtEnd: Math.round(os.loadavg()[0] * 100) / 100 };
    if (p.machine && machine && machine.total > p.machine.total) {
      out.machineBusyPct = (100 * (machine.busy - p.machine.busy)) / (machine.total - p.machine.total);
    }
    for (const [n, pid] of this.pids) {
      const samples = p.rss[n] ?? [];
      const c0 = p.cpu[n];
      const c1 = sum(pid, cpuSeconds);
      out.processes[n] = {
        peakRssMb: samples.length ? Math.max(...samples) : null,
        meanRssMb: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : null,
        cpuPct: c0 !== null && c0 !== undefined && c1 !== null && c1 >= c0 && seconds > 0 ? (100 * (c1 - c0)) / seconds : null,
      };
    }
    this.phases[p.name] = out;
    return out;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
