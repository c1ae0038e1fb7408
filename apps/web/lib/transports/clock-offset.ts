/** One round trip to the server: the browser's clock before and after, the server's in between. */
export interface ClockSample {
  t0: number;
  t1: number;
  serverTime: number;
}

export interface ClockOffset {
  /** Server clock minus browser clock, ms. */
  offsetMs: number;
  /** The round trip of the sample it comes from; the error is at most half of it. */
  roundTripMs: number;
}

/** The offset one sample gives: the server read its clock about half-way through the trip. */
export function offsetOf(sample: ClockSample): ClockOffset {
  return {
    offsetMs: sample.serverTime - (sample.t0 + sample.t1) / 2,
    roundTripMs: sample.t1 - sample.t0,
  };
}

/**
 * Estimates the offset between the browser's and the server's clocks from the most recent
 * `keep` samples, trusting the one with the shortest round trip (the least room for error).
 */
export class ClockOffsetEstimator {
  private readonly samples: ClockSample[] = [];

  constructor(private readonly keep = 10) {}

  add(sample: ClockSample): void {
    if (sample.t1 < sample.t0) return;
    this.samples.push(sample);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** The best estimate so far; null before the first sample. */
  estimate(): ClockOffset | null {
    let best: ClockOffset | null = null;
    for (const sample of this.samples) {
      const candidate = offsetOf(sample);
      if (!best || candidate.roundTripMs < best.roundTripMs) best = candidate;
    }
    return best;
  }
}
