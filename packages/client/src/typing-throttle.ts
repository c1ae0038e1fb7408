/** At most one `typing: true` per this many ms while the user keeps typing. */
export const TYPING_THROTTLE_MS = 3_000;

/**
 * Decides which of the user's typing changes go on the wire: `typing: true` at most once per
 * `intervalMs` while typing, `typing: false` once when they stop (only after a `true` went out).
 */
export class TypingThrottle {
  private lastTrueAt: number | undefined;

  constructor(
    private readonly intervalMs: number = TYPING_THROTTLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this change should be sent now. Call `sent()` when it was. */
  shouldSend(typing: boolean): boolean {
    if (!typing) return this.lastTrueAt !== undefined;
    return this.lastTrueAt === undefined || this.now() - this.lastTrueAt >= this.intervalMs;
  }

  sent(typing: boolean): void {
    this.lastTrueAt = typing ? this.now() : undefined;
  }

  /** Forgets what was sent (the connection was lost: the server has no typing state for us). */
  reset(): void {
    this.lastTrueAt = undefined;
  }
}
