import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { tickerPageAt, type TickerPage, type TickerStream } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TickerCounters } from './ticker-counters.js';
import { streamKey, TickerHub } from './ticker-hub.js';

interface Hold {
  readonly after: number;
  /** `Date.now()` at which the hold ends empty. */
  readonly deadline: number;
  readonly release: (page: TickerPage | undefined) => void;
}

/** The held polls of one stream: one due listener and one deadline timer for all of them. */
interface HoldGroup {
  readonly stream: TickerStream;
  readonly holds: Set<Hold>;
  readonly unsubscribe: () => void;
  deadlineTimer: NodeJS.Timeout | undefined;
  deadlineAt: number;
}

/**
 * Long polls waiting for an event: bounded in number (`maxHeldPolls`), released together with
 * their events as soon as the stream's next event is due, released empty at their `wait`
 * deadline, forgotten when the client goes away, and released at shutdown.
 */
@Injectable()
export class LongPollHolds implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly groups = new Map<string, HoldGroup>();
  private held = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: TickerHub,
    private readonly counters: TickerCounters,
  ) {}

  get full(): boolean {
    return this.held >= this.config.ticker.maxHeldPolls;
  }

  /**
   * Holds a poll of `stream` at cursor `after` until an event after it is due or `waitMs` have
   * passed: resolves with the page then, or with undefined once `signal` aborts (the client left).
   */
  hold(
    stream: TickerStream,
    after: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<TickerPage | undefined> {
    return new Promise((resolve) => {
      const group = this.groupOf(stream);
      const hold: Hold = {
        after,
        deadline: Date.now() + waitMs,
        release: (page) => {
          if (!group.holds.delete(hold)) return;
          signal.removeEventListener('abort', abandon);
          this.held--;
          this.counters.closed('long_poll');
          this.dropIfEmpty(group);
          resolve(page);
        },
      };
      const abandon = () => hold.release(undefined);
      group.holds.add(hold);
      this.held++;
      this.counters.opened('long_poll');
      signal.addEventListener('abort', abandon, { once: true });
      if (signal.aborted) return abandon();
      if (hold.deadline < group.deadlineAt) this.setDeadlineTimer(group, hold.deadline);
    });
  }

  /** At shutdown every held poll is answered with what is due now (usually nothing). */
  beforeApplicationShutdown(): void {
    for (const group of [...this.groups.values()]) this.releaseAll(group, () => true);
  }

  onModuleDestroy(): void {
    this.beforeApplicationShutdown();
  }

  private groupOf(stream: TickerStream): HoldGroup {
    const key = streamKey(stream);
    const existing = this.groups.get(key);
    if (existing) return existing;
    const group: HoldGroup = {
      stream,
      holds: new Set(),
      unsubscribe: this.hub.subscribe(stream, (latest) =>
        this.releaseAll(group, (hold) => hold.after < latest),
      ),
      deadlineTimer: undefined,
      deadlineAt: Infinity,
    };
    this.groups.set(key, group);
    return group;
  }

  private releaseAll(group: HoldGroup, which: (hold: Hold) => boolean): void {
    const now = Date.now();
    // Holds at the same cursor (the usual case: all at the latest event) share one page.
    const pages = new Map<number, TickerPage>();
    for (const hold of [...group.holds]) {
      if (!which(hold)) continue;
      let page = pages.get(hold.after);
      if (!page) {
        page = tickerPageAt(group.stream, hold.after, now);
        pages.set(hold.after, page);
      }
      hold.release(page);
    }
  }

  private setDeadlineTimer(group: HoldGroup, at: number): void {
    clearTimeout(group.deadlineTimer);
    group.deadlineAt = at;
    group.deadlineTimer = setTimeout(
      () => {
        group.deadlineTimer = undefined;
        group.deadlineAt = Infinity;
        const now = Date.now();
        this.releaseAll(group, (hold) => hold.deadline <= now);
        let next = Infinity;
        for (const hold of group.holds) next = Math.min(next, hold.deadline);
        if (next < Infinity) this.setDeadlineTimer(group, next);
      },
      Math.max(0, at - Date.now()),
    );
  }

  private dropIfEmpty(group: HoldGroup): void {
    if (group.holds.size > 0) return;
    const key = streamKey(group.stream);
    if (this.groups.get(key) !== group) return;
    this.groups.delete(key);
    group.unsubscribe();
    clearTimeout(group.deadlineTimer);
  }
}
