import type { Limits } from '@duplex/protocol';
import { PROTOCOL_BOUNDS } from '@duplex/protocol';

export type RateDecision = 'accept' | 'reject' | 'close';

export type Clock = () => number;

const monotonic: Clock = () => performance.now();

/** Capacity `burst`, refilled continuously at `messagesPerSecond`, full at the start. */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly limits: Pick<Limits, 'messagesPerSecond' | 'burst'>,
    private readonly now: Clock = monotonic,
  ) {
    this.tokens = limits.burst;
    this.lastRefill = now();
  }

  /** Whether the bucket has refilled completely: keeping it remembers nothing. */
  get isFull(): boolean {
    this.refill();
    return this.tokens >= this.limits.burst;
  }

  /** Takes one token when there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.lastRefill) / 1000;
    this.lastRefill = now;
    this.tokens = Math.min(
      this.limits.burst,
      this.tokens + elapsedSeconds * this.limits.messagesPerSecond,
    );
  }
}

/**
 * Whether more than `allowed` events happened within any `windowMs`. Keeps the times of the
 * last `allowed` events in a ring buffer: a new event trips the window when the oldest of
 * them is less than `windowMs` old, since it would then be event `allowed + 1` of that window.
 * Nothing but time resets it.
 */
export class SlidingWindowCounter {
  /** Allocated at the first event: most connections never have one. */
  private times: Float64Array | null = null;
  private next = 0;
  private recorded = 0;

  constructor(
    private readonly allowed: number,
    private readonly windowMs: number,
    private readonly now: Clock = monotonic,
  ) {}

  /** Records an event; true when it is one too many for the window. */
  record(): boolean {
    const now = this.now();
    const times = (this.times ??= new Float64Array(this.allowed));
    if (this.recorded === this.allowed && now - times[this.next]! < this.windowMs) {
      return true;
    }
    times[this.next] = now;
    this.next = (this.next + 1) % this.allowed;
    this.recorded = Math.min(this.recorded + 1, this.allowed);
    return false;
  }
}

/**
 * The rate limit of one connection (PROTOCOL.md): a token bucket decides whether a frame is
 * processed; more than `rejectedFactor × burst` frames rejected within any `rejectedWindowMs`
 * closes the connection, and from then on every frame is `close`.
 */
export class ConnectionRateLimiter {
  private readonly bucket: TokenBucket;
  private readonly rejections: SlidingWindowCounter;
  private tripped = false;

  constructor(limits: Pick<Limits, 'messagesPerSecond' | 'burst'>, now: Clock = monotonic) {
    this.bucket = new TokenBucket(limits, now);
    this.rejections = new SlidingWindowCounter(
      PROTOCOL_BOUNDS.rejectedFactor * limits.burst,
      PROTOCOL_BOUNDS.rejectedWindowMs,
      now,
    );
  }

  decide(): RateDecision {
    if (this.tripped) return 'close';
    if (this.bucket.take()) return 'accept';
    this.tripped = this.rejections.record();
    return this.tripped ? 'close' : 'reject';
  }
}
