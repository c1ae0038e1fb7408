// A generator worker thread: holds its share of the clients of a step, checks every event they
// receive, and reports what it saw. Driven by the main thread (generator.mjs), one command at a
// time: open, window, drain, close.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { LongPollClient } from './clients/long-poll.mjs';
import { ShortPollClient } from './clients/short-poll.mjs';
import { SseClient } from './clients/sse.mjs';
import { WebSocketClient } from './clients/websocket.mjs';
import { EventTally } from './event-tally.mjs';

const CLIENT_CLASSES = {
  poll: ShortPollClient,
  long_poll: LongPollClient,
  sse: SseClient,
  websocket: WebSocketClient,
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let step = null;

/** Long polls start spread over this long (each is answered at once, then held). */
const LONG_POLL_SPREAD_MS = 1000;

/**
 * Opens `count` clients of `transport`. Streams (SSE, WebSocket) are opened `batch` at a time.
 * Polls start spread out instead (client `firstIndex + i` of `totalClients` at that fraction of
 * the poll interval, or of a second for long polls): a batch that waited for its first answers
 * would wait behind every poll of the clients already open, which at high rates takes seconds.
 */
async function open({
  transport,
  host,
  port,
  rate,
  size,
  count,
  firstIndex,
  totalClients,
  batch,
  pollIntervalMs,
  longPollWaitMs,
}) {
  const tally = new EventTally();
  // One connection per client, kept alive between polls: as many idle sockets as clients.
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: Infinity,
    maxFreeSockets: count + 1,
  });
  const Client = CLIENT_CLASSES[transport];
  const query = `rate=${rate}&size=${size}`;
  const clients = [];
  for (let i = 0; i < count; i++) {
    const spreadMs = transport === 'long_poll' ? LONG_POLL_SPREAD_MS : pollIntervalMs;
    const firstDelayMs = Math.floor(((firstIndex + i) / totalClients) * spreadMs);
    clients.push(
      new Client({ host, port, query, agent, tally, pollIntervalMs, longPollWaitMs, firstDelayMs }),
    );
  }
  step = { transport, rate, tally, agent, clients, elu: null };
  const started = performance.now();
  let failed = 0;
  const startOne = (client) =>
    client.start().catch((error) => {
      failed += 1;
      tally.error(`open ${error.code ?? error.message}`);
    });
  if (transport === 'poll' || transport === 'long_poll') await Promise.all(clients.map(startOne));
  else {
    for (let i = 0; i < clients.length; i += batch)
      await Promise.all(clients.slice(i, i + batch).map(startOne));
  }
  return { opened: count - failed, failed, openMs: performance.now() - started };
}

/** Sets the measured window (ms since the epoch) and starts measuring this thread's load. */
function startWindow({ from, to }) {
  step.tally.windowFrom = from;
  step.tally.windowTo = to;
  step.elu = performance.eventLoopUtilization();
  const notStarted = step.clients.filter((client) => client.cursor.last < 0).length;
  return { notStarted };
}

/** The share of time this thread's event loop was busy since `startWindow`. */
function endWindow() {
  return { eventLoopUtilization: performance.eventLoopUtilization(step.elu).utilization };
}

/**
 * Waits (at most `timeoutMs`) until every client has every event up to `lastSeq`, then counts
 * what is missing and reports.
 */
async function drain({ firstSeq, lastSeq, timeoutMs }) {
  const deadline = performance.now() + timeoutMs;
  const behind = () => step.clients.filter((client) => client.cursor.last < lastSeq).length;
  while (behind() > 0 && performance.now() < deadline) await sleep(50);
  const stragglers = behind();
  for (const client of step.clients) step.tally.shortfall(client.cursor, firstSeq, lastSeq);
  return { stragglers, ...step.tally.summary() };
}

function close() {
  for (const client of step.clients) client.stop();
  step.agent.destroy();
  step = null;
  return {};
}

const COMMANDS = { open, startWindow, endWindow, drain, close };

parentPort.on('message', async ({ id, command, args }) => {
  try {
    const result = await COMMANDS[command](args);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
