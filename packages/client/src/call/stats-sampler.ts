import { parseCallStats, type StatsSample } from './call-stats.js';
import type { PeerConnectionLike } from './rtc-types.js';
import type { CallStats } from './types.js';

/** Samples `pc.getStats()` every `intervalMs` and reports the parsed {@link CallStats}. */
export class StatsSampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private previous: StatsSample | null = null;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly pc: PeerConnectionLike,
    private readonly intervalMs: number,
    private readonly onStats: (stats: CallStats) => void,
  ) {}

  /** Starts sampling (no-op when already running or `intervalMs` is 0 or less). */
  start(): void {
    if (this.timer || this.stopped || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  /** Stops for good: a sample in flight is not reported. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Takes one sample now; also used by `start`'s timer. */
  async sample(): Promise<CallStats | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      const { stats, sample } = parseCallStats(await this.pc.getStats(), this.previous);
      this.previous = sample;
      if (!this.stopped) this.onStats(stats);
      return stats;
    } catch {
      return null; // the connection closed meanwhile
    } finally {
      this.busy = false;
    }
  }
}
