import { TICKER_PATHS, tickerStats, type TickerStats } from '@duplex/protocol';
import type { ClockSample } from './clock-offset';

export type StatsReading =
  { ok: true; stats: TickerStats; clock: ClockSample } | { ok: false; error: string };

/**
 * Reads `GET /api/ticker/stats` once, validated, with the browser's clock before sending and
 * after the answer (a sample for the clock offset).
 */
export async function readTickerStats(
  apiUrl: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
  now: () => number = Date.now,
): Promise<StatsReading> {
  const t0 = now();
  try {
    const response = await fetchImpl(`${apiUrl.replace(/\/+$/, '')}${TICKER_PATHS.stats}`, {
      cache: 'no-store',
    });
    if (!response.ok) return { ok: false, error: `HTTP ${response.status}` };
    const body: unknown = await response.json();
    const t1 = now();
    const parsed = tickerStats.safeParse(body);
    if (!parsed.success) return { ok: false, error: 'the answer is not ticker stats' };
    return { ok: true, stats: parsed.data, clock: { t0, t1, serverTime: parsed.data.serverTime } };
  } catch {
    return { ok: false, error: 'the api cannot be reached' };
  }
}
