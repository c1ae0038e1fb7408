/** Delays between reconnection attempts: doubling from `firstMs` up to `maxMs`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 250,
    private readonly maxMs = 5_000,
  ) {}

  /** The delay before the next attempt; at least `floorMs` (e.g. a server's `Retry-After`). */
  next(floorMs = 0): number {
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt++;
    return Math.max(delay, floorMs);
  }

  /** A connection worked: the next failure starts from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
