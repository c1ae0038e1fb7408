import { tickerDueSeq, tickerEventOf, type TickerEvent, type TickerStream } from '@duplex/protocol';
import type { TickerHub } from './ticker-hub.js';

/**
 * Hands `send` every event of `stream` after `after`, one at a time and in order: those already
 * due at once, then each as it becomes due. Stops when `send` returns false or the returned
 * function is called.
 */
export function followStream(
  hub: TickerHub,
  stream: TickerStream,
  after: number,
  send: (event: TickerEvent) => boolean,
): () => void {
  let cursor = after;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    unsubscribe?.();
  };
  const deliver = (latest: number) => {
    while (!stopped && cursor < latest) {
      cursor++;
      if (!send(tickerEventOf(cursor, stream))) stop();
    }
  };
  deliver(tickerDueSeq(stream.rate, Date.now()));
  if (!stopped) unsubscribe = hub.subscribe(stream, deliver);
  return stop;
}
