// Latency histogram in 0.1 ms buckets up to 5 s (plus one overflow bucket), so that workers can
// send counts, not samples, and the main thread can merge them exactly.
const BUCKET_MS = 0.1;
const BUCKETS = 50_000;

export function createHistogram() {
  return { counts: new Uint32Array(BUCKETS + 1), n: 0, maxMs: 0 };
}

export function record(histogram, ms) {
  const bucket = Math.min(BUCKETS, Math.max(0, Math.floor(ms / BUCKET_MS)));
  histogram.counts[bucket] += 1;
  histogram.n += 1;
  if (ms > histogram.maxMs) histogram.maxMs = ms;
}

export function merge(into, from) {
  for (let i = 0; i <= BUCKETS; i += 1) into.counts[i] += from.counts[i];
  into.n += from.n;
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  return into;
}

/** The p-quantile (0..1), as the upper edge of its bucket; the maximum for the overflow bucket. */
export function quantile(histogram, p) {
  if (histogram.n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * histogram.n));
  let seen = 0;
  for (let i = 0; i <= BUCKETS; i += 1) {
    seen += histogram.counts[i];
    if (seen >= rank)
      return i === BUCKETS ? histogram.maxMs : Math.min((i + 1) * BUCKET_MS, histogram.maxMs);
  }
  return histogram.maxMs;
}
