/**
 * An immutable snapshot with subscribers, for React's `useSyncExternalStore` and the like:
 * `get()` returns the same frozen object until `update` changes a value.
 */
export class SnapshotStore<T extends object> {
  private snapshot: Readonly<T>;
  private readonly listeners = new Set<() => void>();

  constructor(
    initial: T,
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {
    this.snapshot = Object.freeze({ ...initial });
  }

  get(): Readonly<T> {
    return this.snapshot;
  }

  /** Applies the values that differ (compared with `Object.is`); notifies only on a change. */
  update(values: Partial<T>): void {
    let changed = false;
    for (const key of Object.keys(values) as (keyof T)[]) {
      if (!Object.is(this.snapshot[key], values[key])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.snapshot = Object.freeze({ ...this.snapshot, ...values });
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: () => void): () => void {
    // Wrapped so that subscribing the same function twice gives two subscriptions.
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  clearListeners(): void {
    this.listeners.clear();
  }
}
