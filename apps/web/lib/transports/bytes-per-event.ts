/** Bytes per event, or null while no event was received. */
export function bytesPerEvent(bytes: number, events: number): number | null {
  return events > 0 ? bytes / events : null;
}

/** What the Resource Timing API reported for one path. */
export interface ResourceBytes {
  /** Responses with an entry. */
  responses: number;
  /** Their `transferSize` summed: headers and body as received. */
  bytes: number;
  /** Entries whose `transferSize` was 0: hidden (no `Timing-Allow-Origin`) or from a cache. */
  hidden: number;
}

type ResourceEntry = Pick<PerformanceResourceTiming, 'name' | 'transferSize'>;

/** Adds the entries whose URL is on `url` (its origin and path, any query) to `into`. */
export function addResourceEntries(
  into: ResourceBytes,
  entries: readonly ResourceEntry[],
  url: string,
): void {
  for (const entry of entries) {
    const queryAt = entry.name.indexOf('?');
    const base = queryAt < 0 ? entry.name : entry.name.slice(0, queryAt);
    if (base !== url) continue;
    into.responses++;
    into.bytes += entry.transferSize;
    if (entry.transferSize === 0) into.hidden++;
  }
}

/**
 * Measures the bytes the browser received for the given URLs, from `PerformanceObserver`
 * `resource` entries (not the 250-entry buffer, which a poller fills in minutes).
 */
export class ResourceBytesMeter {
  private readonly totals = new Map<string, ResourceBytes>();
  private observer: PerformanceObserver | null = null;

  constructor(private readonly urls: readonly string[]) {
    for (const url of urls) this.totals.set(url, { responses: 0, bytes: 0, hidden: 0 });
  }

  start(): void {
    if (typeof PerformanceObserver === 'undefined' || this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      const entries = list.getEntriesByType('resource') as PerformanceResourceTiming[];
      for (const [url, total] of this.totals) addResourceEntries(total, entries, url);
    });
    this.observer.observe({ type: 'resource' });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  read(url: string): ResourceBytes {
    return { ...(this.totals.get(url) ?? { responses: 0, bytes: 0, hidden: 0 }) };
  }
}
