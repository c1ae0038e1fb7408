import type { Limits } from '@duplex/protocol';
import { PROTOCOL_BOUNDS } from '@duplex/protocol';

export type RateDecision = 'accept' | 'reject' | 'close';

/**
 * Per-connection token bucket, plus the count of frames rejected in a row that ends a
 * flooding connection. Hand-written rather than a library because the protocol's
 * "rejected in a row" rule is part of the same decision and costs one comparison per frame.
 */
export class ConnectionRateLimiter {
  private tokens: number;
  private lastRefill: number;
  private rejectedInARow = 0;
  private readonly closeAfter: number;

  constructor(
    private readonly limits: Pick<Limits, 'messagesPerSecond' | 'burst'>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.burst;
    this.lastRefill = now();
    this.closeAfter = PROTOCOL_BOUNDS.rejectedRowFactor * limits.burst;
  }

  decide(): RateDecision {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.rejectedInARow = 0;
      return 'accept';
    }
    this.rejectedInARow += 1;
    return this.rejectedInARow > this.closeAfter ? 'close' : 'reject';
  }

  private refill() {
    const now = this.now();
    const elapsedSeconds = (now - this.lastRefill) / 1000;
    this.lastRefill = now;
    this.tokens = Math.min(
      this.limits.burst,
      this.tokens + elapsedSeconds * this.limits.messagesPerSecond,
    );
  }
}
