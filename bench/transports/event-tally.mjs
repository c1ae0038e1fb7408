// What one generator worker saw of a step: per client, that events come in order, each exactly
// once; over all its clients, the latency of every event due inside the measured window.

/** Latencies are whole milliseconds (event `ts` and `Date.now()` are both ms); 1 ms buckets. */
const MAX_LATENCY_MS = 120_000;

export class EventTally {
  /** The measured window, ms since the epoch: events with `from <= ts <= to` are measured. */
  windowFrom = Infinity;
  windowTo = Infinity;
  latencyCounts = new Uint32Array(MAX_LATENCY_MS + 1);
  /** Events of the window received (every client counted). */
  delivered = 0;
  /** Events that came twice, or after a later one. */
  duplicates = 0;
  /** Events skipped over: a client got `seq` n + k (k > 1) right after n. */
  skipped = 0;
  /** Events of the window not received by the end of the drain (counted by `shortfall`). */
  undelivered = 0;
  /** Received before their due time by our clock (`ts` later than the receive time). */
  early = 0;
  errors = 0;
  errorKinds = {};

  /** Each client's cursor: the last `seq` it received, -1 before its first event. */
  newCursor() {
    return { last: -1 };
  }

  /** Checks and counts event `seq` (due at `ts`) that `cursor`'s client received at `now`. */
  receive(cursor, seq, ts, now) {
    if (seq <= cursor.last) {
      this.duplicates += 1;
      return;
    }
    if (cursor.last >= 0 && seq > cursor.last + 1) this.skipped += seq - cursor.last - 1;
    cursor.last = seq;
    if (ts < this.windowFrom || ts > this.windowTo) return;
    this.delivered += 1;
    let latency = now - ts;
    if (latency < 0) {
      this.early += 1;
      latency = 0;
    }
    this.latencyCounts[Math.min(latency, MAX_LATENCY_MS)] += 1;
  }

  /** At the end: events `firstSeq`…`lastSeq` (the window's) that `cursor`'s client never got. */
  shortfall(cursor, firstSeq, lastSeq) {
    const had = Math.max(cursor.last, firstSeq - 1);
    if (had < lastSeq) this.undelivered += lastSeq - had;
  }

  error(kind) {
    this.errors += 1;
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
  }

  /** A plain summary for postMessage: the latency histogram as [ms, count] pairs. */
  summary() {
    const latency = [];
    for (let ms = 0; ms < this.latencyCounts.length; ms++) {
      if (this.latencyCounts[ms] > 0) latency.push([ms, this.latencyCounts[ms]]);
    }
    const { delivered, duplicates, skipped, undelivered, early, errors, errorKinds } = this;
    return { delivered, duplicates, skipped, undelivered, early, errors, errorKinds, latency };
  }
}

/** Sums worker summaries; `latency` stays a sparse histogram. */
export function mergeSummaries(summaries) {
  const merged = {
    stragglers: 0,
    delivered: 0,
    duplicates: 0,
    skipped: 0,
    undelivered: 0,
    early: 0,
    errors: 0,
    errorKinds: {},
  };
  const counts = new Map();
  for (const s of summaries) {
    for (const key of [
      'stragglers',
      'delivered',
      'duplicates',
      'skipped',
      'undelivered',
      'early',
      'errors',
    ]) {
      merged[key] += s[key] ?? 0;
    }
    for (const [kind, n] of Object.entries(s.errorKinds)) {
      merged.errorKinds[kind] = (merged.errorKinds[kind] ?? 0) + n;
    }
    for (const [ms, n] of s.latency) counts.set(ms, (counts.get(ms) ?? 0) + n);
  }
  merged.latency = [...counts].sort((a, b) => a[0] - b[0]);
  return merged;
}

/** The `p`-th percentile (0–100) of a sparse [ms, count] histogram; null when empty. */
export function percentile(histogram, p) {
  const total = histogram.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [ms, n] of histogram) {
    seen += n;
    if (seen >= rank) return ms;
  }
  return histogram[histogram.length - 1][0];
}
