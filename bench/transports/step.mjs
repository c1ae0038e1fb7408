// One step of the run: N clients of one transport follow the stream at one rate; a warm-up, a
// measured window, a drain in which every event of the window must arrive, then the close.
import { tickerDueSeq, tickerEventTime } from '@duplex/protocol';
import { HOST } from '../lib/api-child.mjs';
import { sleep, waitUntil } from '../lib/net.mjs';
import { mergeSummaries, percentile } from './event-tally.mjs';
import { firstIndexOf, shareOf } from './generator.mjs';
import { sample, tickerStats, windowCosts } from './server-sample.mjs';

/** Lead between announcing the window to the workers and its start. */
const WINDOW_LEAD_MS = 300;
/** How long every event of the window may still take to arrive after it ended (+ poll interval). */
const DRAIN_MS = 10_000;
const OPEN_TIMEOUT_MS = 120_000;
const CLOSE_TIMEOUT_MS = 15_000;

const sleepUntil = (at) => sleep(Math.max(0, at - Date.now()));

/** Step timing, for the watchdog's budget. */
export function stepBudgetMs(opts) {
  return (
    OPEN_TIMEOUT_MS +
    (opts.warmup + opts.duration) * 1000 +
    WINDOW_LEAD_MS +
    DRAIN_MS +
    opts.pollInterval +
    2 * CLOSE_TIMEOUT_MS
  );
}

export async function runStep({ api, generator, transport, rate, opts, log }) {
  const n = opts.clients;
  const workers = generator.size;
  const opened = await generator.all(
    'open',
    (i) => ({
      transport,
      host: HOST,
      port: api.port,
      rate,
      size: opts.size,
      count: shareOf(n, workers, i),
      firstIndex: firstIndexOf(n, workers, i),
      totalClients: n,
      batch: opts.batch,
      pollIntervalMs: opts.pollInterval,
      longPollWaitMs: opts.longPollWait,
    }),
    OPEN_TIMEOUT_MS,
  );
  const openFailed = opened.reduce((sum, o) => sum + o.failed, 0);
  const openMs = Math.max(...opened.map((o) => o.openMs));
  await sleep(opts.warmup * 1000);

  const from = Date.now() + WINDOW_LEAD_MS;
  const to = from + opts.duration * 1000;
  const started = await generator.all('startWindow', () => ({ from, to }), 5000);
  await sleepUntil(from);
  const before = await sample(api);
  await sleepUntil(to);
  const after = await sample(api);
  const loads = await generator.all('endWindow', () => ({}), 5000);

  // The window's events: from the first due at or after `from` to the last due by `to`.
  const lastSeq = tickerDueSeq(rate, to);
  let firstSeq = tickerDueSeq(rate, from);
  if (tickerEventTime(firstSeq, rate) < from) firstSeq += 1;
  const drainMs = DRAIN_MS + (transport === 'poll' ? opts.pollInterval : 0);
  const seen = mergeSummaries(
    await generator.all('drain', () => ({ firstSeq, lastSeq, timeoutMs: drainMs }), drainMs + 5000),
  );
  await generator.all('close', () => ({}), CLOSE_TIMEOUT_MS);
  // The next step starts once the api has let go of this one's connections.
  const released = await waitUntil(
    async () => (await tickerStats(api.baseUrl)).transports[transport].open === 0,
    CLOSE_TIMEOUT_MS,
    100,
  );

  const costs = windowCosts(before, after, transport);
  const expected = n * (lastSeq - firstSeq + 1);
  // A client that failed to open has no events: its window is counted in `undelivered`.
  const missing = seen.skipped + seen.undelivered;
  const result = {
    transport,
    rate,
    clients: n,
    window: { from, to, firstSeq, lastSeq },
    openMs: Math.round(openMs),
    openFailed,
    notStartedAtWindow: started.reduce((sum, s) => sum + s.notStarted, 0),
    expected,
    delivered: seen.delivered,
    missing,
    duplicates: seen.duplicates,
    errors: seen.errors,
    errorKinds: seen.errorKinds,
    stragglersAfterDrain: seen.stragglers,
    receivedBeforeTs: seen.early,
    releasedAfterClose: released,
    latencyMs: {
      p50: percentile(seen.latency, 50),
      p90: percentile(seen.latency, 90),
      p99: percentile(seen.latency, 99),
      max: seen.latency.length ? seen.latency[seen.latency.length - 1][0] : null,
    },
    server: {
      ...costs,
      cpuMicrosPerEvent: costs.events > 0 ? costs.apiCpuMicros / costs.events : null,
      bytesPerEvent: costs.events > 0 ? costs.bytes / costs.events : null,
      requestsPerSecond: costs.requests / costs.seconds,
      emptyResponsesPerEvent: costs.events > 0 ? costs.emptyResponses / costs.events : null,
      eventsPerSecond: costs.events / costs.seconds,
    },
    generatorEventLoopUtilization: loads.map(
      (l) => Math.round(l.eventLoopUtilization * 1000) / 1000,
    ),
    latencyHistogram: seen.latency,
  };
  result.ok =
    result.missing === 0 &&
    result.duplicates === 0 &&
    result.errors === 0 &&
    result.notStartedAtWindow === 0 &&
    result.delivered === expected;
  log(
    `${transport.padEnd(9)} ${String(rate).padStart(3)}/s: ${result.delivered}/${expected} events, ` +
      `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
      `${fmt(result.server.cpuMicrosPerEvent, 1)} µs CPU/event, ${fmt(result.server.bytesPerEvent, 0)} B/event, ` +
      `api ${fmt(costs.apiCpuPct, 0)} %, generator ${fmt(costs.generatorCpuPct, 0)} %, other ${fmt(costs.otherCpuPct, 0)} %` +
      (result.ok
        ? ''
        : `  FAILED: missing ${result.missing}, duplicates ${result.duplicates}, errors ${JSON.stringify(result.errorKinds)}`),
  );
  return result;
}

function fmt(value, digits) {
  return value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}
