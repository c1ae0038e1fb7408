import type { User } from '@duplex/protocol';

/** How long a `typing: true` from someone else counts without a refresh. */
export const TYPING_EXPIRY_MS = 6_000;

/**
 * Who else is typing in one room. An entry ends on `typing: false`, when that user's message
 * arrives, when they leave, or `expiryMs` after their last `typing: true`.
 */
export class TypingTracker {
  private readonly typing = new Map<string, { user: User; timer: ReturnType<typeof setTimeout> }>();
  private current: readonly User[] = Object.freeze([]);

  constructor(
    private readonly onChange: () => void,
    private readonly expiryMs: number = TYPING_EXPIRY_MS,
  ) {}

  /** The users typing, in the order they started; same array until it changes. */
  get users(): readonly User[] {
    return this.current;
  }

  set(user: User, typing: boolean): void {
    if (!typing) {
      this.stop(user.userId);
      return;
    }
    const existing = this.typing.get(user.userId);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.stop(user.userId), this.expiryMs);
    this.typing.set(user.userId, { user, timer });
    if (!existing || existing.user.name !== user.name) this.changed();
  }

  stop(userId: string): void {
    const entry = this.typing.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typing.delete(userId);
    this.changed();
  }

  clear(): void {
    if (this.typing.size === 0) return;
    for (const { timer } of this.typing.values()) clearTimeout(timer);
    this.typing.clear();
    this.changed();
  }

  private changed(): void {
    this.current = Object.freeze([...this.typing.values()].map((entry) => entry.user));
    this.onChange();
  }
}
