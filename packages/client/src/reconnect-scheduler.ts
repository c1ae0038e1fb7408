import { backoffDelay, type ReconnectOptions } from './backoff.js';

/** Runs retries after growing back-off delays; `reset()` starts the sequence over. */
export class ReconnectScheduler {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Schedules `retry` after the next delay and returns that delay. Replaces a scheduled retry. */
  schedule(retry: () => void): number {
    this.cancel();
    const delay = backoffDelay(this.attempt++, this.options, this.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, delay);
    return delay;
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.attempt = 0;
  }
}
