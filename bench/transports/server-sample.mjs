// Readings taken at both ends of a measured window: the api's ticker counters and CPU, and the
// CPU of the load generator and of the whole machine, so each step's costs are deltas.
import { TICKER_PATHS } from '@duplex/protocol';
import { machineBusySeconds, processCpuSeconds, rssKiB } from '../lib/proc.mjs';

/** `GET /api/ticker/stats` (a `TickerStats`). */
export async function tickerStats(baseUrl) {
  const response = await fetch(`${baseUrl}${TICKER_PATHS.stats}`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`${TICKER_PATHS.stats}: HTTP ${response.status}`);
  return response.json();
}

export async function sample(api) {
  const stats = await tickerStats(api.baseUrl);
  return {
    at: Date.now(),
    stats,
    apiCpuS: processCpuSeconds(api.pid),
    generatorCpuS: processCpuSeconds(process.pid),
    machineBusyS: machineBusySeconds(),
    apiRssKiB: rssKiB(api.pid),
  };
}

/** What a window cost, from its two samples, for one transport's counters. */
export function windowCosts(before, after, transport) {
  const seconds = (after.at - before.at) / 1000;
  const t0 = before.stats.transports[transport];
  const t1 = after.stats.transports[transport];
  const delta = (key) => t1[key] - t0[key];
  const cpu = (s) => s.stats.cpu.userMicros + s.stats.cpu.systemMicros;
  const apiCpuMicros = cpu(after) - cpu(before);
  const apiProcCpuS = after.apiCpuS - before.apiCpuS;
  const generatorCpuS = after.generatorCpuS - before.generatorCpuS;
  const machineBusyS = after.machineBusyS - before.machineBusyS;
  return {
    seconds,
    requests: delta('requests'),
    emptyResponses: delta('emptyResponses'),
    events: delta('events'),
    bytes: delta('bytes'),
    openAtStart: t0.open,
    apiCpuMicros,
    apiCpuPct: (100 * apiCpuMicros) / 1e6 / seconds,
    generatorCpuPct: (100 * generatorCpuS) / seconds,
    // Everything else on the machine meanwhile (it is shared), in % of one core.
    otherCpuPct: Math.max(0, (100 * (machineBusyS - apiProcCpuS - generatorCpuS)) / seconds),
    apiRssMiB: after.apiRssKiB / 1024,
  };
}
