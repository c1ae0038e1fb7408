/** The latencies of the most recent events (ms), oldest dropped past `capacity`. */
export class LatencyWindow {
  private readonly samples: number[] = [];

  constructor(readonly capacity = 200) {}

  add(latencyMs: number): void {
    this.samples.push(latencyMs);
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  get size(): number {
    return this.samples.length;
  }

  /** The samples, oldest first. */
  values(): readonly number[] {
    return this.samples;
  }

  /** The `p`th percentile (0–100) by nearest rank; null while there are no samples. */
  percentile(p: number): number | null {
    return percentile(this.samples, p);
  }
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100): the smallest value ≥ p% of them. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * How long an event took from due to received, in the server's clock: the browser's receive
 * time moved by the clock offset (server − browser), minus the event's `ts`.
 */
export function eventLatency(ts: number, receivedAt: number, offsetMs: number): number {
  return receivedAt + offsetMs - ts;
}
