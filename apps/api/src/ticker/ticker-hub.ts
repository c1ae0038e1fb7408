import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { tickerDueSeq, tickerEventTime, type TickerStream } from '@duplex/protocol';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';

/** Told the latest due `seq` of its stream, each time new events became due. */
export type DueListener = (latest: number) => void;

interface StreamClock {
  readonly stream: TickerStream;
  readonly listeners: Set<DueListener>;
  timer: NodeJS.Timeout | undefined;
  /** The latest seq the listeners were told of. */
  told: number;
}

export function streamKey(stream: TickerStream): string {
  return `${stream.rate}/${stream.size}`;
}

/**
 * One timer per stream that has listeners, whatever the transport: it fires when the stream's
 * next event is due and tells every listener of that stream at once. A stream without listeners
 * has no timer.
 */
@Injectable()
export class TickerHub implements OnModuleDestroy {
  private readonly clocks = new Map<string, StreamClock>();

  constructor(@Inject(APP_LOGGER) private readonly logger: AppLogger) {}

  /** Listens for `stream`'s events becoming due, until the returned function is called. */
  subscribe(stream: TickerStream, listener: DueListener): () => void {
    const key = streamKey(stream);
    let clock = this.clocks.get(key);
    if (!clock) {
      clock = {
        stream,
        listeners: new Set(),
        timer: undefined,
        told: tickerDueSeq(stream.rate, Date.now()),
      };
      this.clocks.set(key, clock);
      this.schedule(clock);
    }
    clock.listeners.add(listener);
    const subscribed = clock;
    return () => {
      subscribed.listeners.delete(listener);
      if (subscribed.listeners.size === 0 && this.clocks.get(key) === subscribed) {
        clearTimeout(subscribed.timer);
        this.clocks.delete(key);
      }
    };
  }

  /** Streams with a running timer (one per stream, however many listeners). */
  get timers(): number {
    return this.clocks.size;
  }

  onModuleDestroy(): void {
    for (const clock of this.clocks.values()) clearTimeout(clock.timer);
    this.clocks.clear();
  }

  private schedule(clock: StreamClock): void {
    const dueAt = tickerEventTime(clock.told + 1, clock.stream.rate);
    clock.timer = setTimeout(() => this.fire(clock), Math.max(0, dueAt - Date.now()));
  }

  private fire(clock: StreamClock): void {
    const latest = tickerDueSeq(clock.stream.rate, Date.now());
    // A timer may fire a millisecond early by the wall clock: then it waits again.
    if (latest > clock.told) {
      clock.told = latest;
      for (const listener of [...clock.listeners]) {
        // One listener's fault must not stop the stream for the others.
        if (!clock.listeners.has(listener)) continue;
        try {
          listener(latest);
        } catch (error) {
          this.logger.error({ err: error }, 'ticker listener failed');
        }
      }
    }
    if (clock.listeners.size > 0) this.schedule(clock);
  }
}
