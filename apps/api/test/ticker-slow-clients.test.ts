import { connect } from 'node:net';
import { TICKER_PATHS, TickerCloseCode, tickerDueSeq, tickerReplayEvents } from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { useServer } from './support/api-server.js';
import { withTimeout } from './support/raw-client.js';
import { getStats, moved, statsWhen, tickerSearch } from './support/ticker-clients.js';

/** Small enough that a replay of the whole window (16 MiB at the largest size) passes it. */
const SEND_BUFFER_LIMIT = 64 * 1024;
const { server } = useServer({ SEND_BUFFER_LIMIT_BYTES: SEND_BUFFER_LIMIT });
const url = (path: string) => server().httpUrl(path);

/** The largest events, replayed from the oldest cursor the window allows. */
function heavyReplay() {
  const stream = { rate: 100, size: 16_384 };
  const after = tickerDueSeq(stream.rate, Date.now()) - tickerReplayEvents(stream.rate) + 200;
  return { stream, after };
}

describe('a client that does not read', () => {
  it('over SSE: its stream is cut once its unsent data passes the limit; others are unharmed', async () => {
    const { stream, after } = heavyReplay();
    const before = await getStats(url);
    const socket = connect(server().port, '127.0.0.1');
    socket.pause();
    socket.on('error', () => undefined);
    socket.write(
      `GET ${TICKER_PATHS.sse}${tickerSearch(stream, { after })} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    try {
      const stats = await statsWhen(
        url,
        (current) =>
          moved(before, current, 'sse').requests === 1 && current.transports.sse.open === 0,
        'the stream cut',
      );
      // Cut long before the replay was written: memory stays bounded.
      expect(moved(before, stats, 'sse').events).toBeLessThan(tickerReplayEvents(stream.rate) / 2);
      const response = await fetch(url(`${TICKER_PATHS.poll}?rate=1&size=1`));
      expect(response.status).toBe(200);
    } finally {
      socket.destroy();
    }
  });

  it('over WebSocket: closed 1013 once its unsent data passes the limit', async () => {
    const { stream, after } = heavyReplay();
    const before = await getStats(url);
    const socket = new WebSocket(
      server().wsUrl(`${TICKER_PATHS.websocket}${tickerSearch(stream, { after })}`),
    );
    let received = 0;
    socket.on('message', () => received++);
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    socket.pause();
    // The replay is sent while the connection is handled: once the request is counted, it is over.
    const stats = await statsWhen(
      url,
      (current) => moved(before, current, 'websocket').requests === 1,
      'the connection',
    );
    const sent = moved(before, stats, 'websocket').events;
    expect(sent).toBeLessThan(tickerReplayEvents(stream.rate) / 2);
    socket.resume();
    expect(await withTimeout(closed, 10_000, 'the close')).toBe(TickerCloseCode.TryAgainLater);
    expect(received).toBe(sent);
  });
});
