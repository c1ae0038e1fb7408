/**
 * CPU time the whole machine spent in a window: every process of both browsers, the api, coturn
 * and this runner together, read from the first line of `/proc/stat` every few milliseconds.
 * On two cores call set-up is CPU-bound (docs/benchmarks.md, "Call set-up"), so the CPU a call
 * takes moves less with a slow moment of a shared machine than its time does, and shows what a
 * change saved where a handful of set-up times cannot.
 *
 * Also reports the steal time: CPU the host gave to someone else while the machine wanted it,
 * which no change here can take back. Linux only; elsewhere `between` returns null.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** `/proc/stat` counts in clock ticks of 10 ms (USER_HZ 100 on every Linux this runs on). */
const MS_PER_TICK = 10;
const SAMPLE_EVERY_MS = 5;

interface Reading {
  at: number;
  busyMs: number;
  stealMs: number;
}

export interface CpuSpent {
  /** Busy time of all cores: user, nice, system, irq and softirq. */
  busyMs: number;
  stealMs: number;
}

function read(): Reading | null {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  } catch {
    return null;
  }
  // cpu user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    at: performance.now(),
    busyMs: (user! + nice! + system! + irq! + softirq!) * MS_PER_TICK,
    stealMs: steal! * MS_PER_TICK,
  };
}

export class MachineCpu {
  private readings: Reading[] = [];
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    if (this.timer || read() === null) return;
    this.timer = setInterval(() => {
      const reading = read();
      if (reading) this.readings.push(reading);
    }, SAMPLE_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * CPU spent between `from` and `to` (this process's `performance.now()`), interpolated
   * between the readings around each end; null when the readings do not cover the window.
   * Forgets readings older than `from`: windows are asked for in order.
   */
  between(from: number, to: number): CpuSpent | null {
    const start = this.at(from);
    const end = this.at(to);
    const firstNeeded = this.readings.findIndex((reading) => reading.at >= from) - 1;
    if (firstNeeded > 0) this.readings.splice(0, firstNeeded);
    if (!start || !end) return null;
    return { busyMs: end.busyMs - start.busyMs, stealMs: end.stealMs - start.stealMs };
  }

  private at(time: number): Omit<Reading, 'at'> | null {
    const after = this.readings.findIndex((reading) => reading.at >= time);
    if (after <= 0) return null;
    const a = this.readings[after - 1]!;
    const b = this.readings[after]!;
    const share = b.at === a.at ? 0 : (time - a.at) / (b.at - a.at);
    return {
      busyMs: a.busyMs + (b.busyMs - a.busyMs) * share,
      stealMs: a.stealMs + (b.stealMs - a.stealMs) * share,
    };
  }
}
