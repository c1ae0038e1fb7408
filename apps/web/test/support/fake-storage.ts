/**
 * A `localStorage` for tests in Node, which has none: in memory, or refusing writes (a full
 * quota), or missing altogether the way a browser with storage disabled throws on any access.
 */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  /** Every `setItem` call, in order: how often a module wrote, not just what it left. */
  readonly writes: [key: string, value: string][] = [];

  constructor(private readonly refuseWrites = false) {}

  get length(): number {
    return this.items.size;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    if (this.refuseWrites)
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.writes.push([key, value]);
    this.items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }

  clear(): void {
    this.items.clear();
  }
}

/** Makes `storage` the page's `localStorage` and returns it. */
export function installStorage<T extends Storage>(storage: T): T {
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    value: storage,
  });
  return storage;
}

/** Storage disabled by privacy settings: reading `localStorage` itself throws. */
export function disableStorage(): void {
  Object.defineProperty(globalThis, 'localStorage', {
    configurable: true,
    get() {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    },
  });
}

export function removeStorage(): void {
  Reflect.deleteProperty(globalThis, 'localStorage');
}
