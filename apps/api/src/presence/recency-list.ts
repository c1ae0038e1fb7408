interface Entry<T> {
  key: string;
  value: T;
  older: Entry<T> | null;
  newer: Entry<T> | null;
}

/**
 * Values by key in order of activity: a key set or touched becomes the newest. Setting,
 * touching and deleting cost O(1), and reading the newest `n` costs O(n), whatever the size: a
 * join ack lists the 100 most recently active members of a room without going through the rest.
 */
export class RecencyList<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private newest: Entry<T> | null = null;

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /** Adds or replaces the key's value; it becomes the newest. True when the key is new. */
  set(key: string, value: T): boolean {
    const entry = this.entries.get(key);
    if (entry) {
      entry.value = value;
      this.makeNewest(entry);
      return false;
    }
    const added: Entry<T> = { key, value, older: null, newer: null };
    this.entries.set(key, added);
    this.link(added);
    return true;
  }

  /** The key (when there) becomes the newest. */
  touch(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.makeNewest(entry);
  }

  /** True when the key was there. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.unlink(entry);
    return true;
  }

  /** Newest first; lazily, so taking the first `n` reads `n` entries. */
  *newestFirst(): Generator<T> {
    for (let entry = this.newest; entry !== null; entry = entry.older) yield entry.value;
  }

  /** Every value, in no particular order. */
  *values(): Generator<T> {
    for (const entry of this.entries.values()) yield entry.value;
  }

  private makeNewest(entry: Entry<T>): void {
    if (entry === this.newest) return;
    this.unlink(entry);
    this.link(entry);
  }

  private link(entry: Entry<T>): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest) this.newest.newer = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry<T>): void {
    if (entry.older) entry.older.newer = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }
}
