import { TICKER_LIMITS } from '@duplex/protocol';
import type { RunSettings } from './transport-run';

const within = (min: number, max: number) => (value: number) => value >= min && value <= max;

/** The choices the page offers, inside the ticker's limits. */
export const RATE_CHOICES = [1, 2, 5, 10, 20, 50, 100].filter(
  within(TICKER_LIMITS.minRate, TICKER_LIMITS.maxRate),
);
export const SIZE_CHOICES = [0, 16, 64, 256, 1024, 4096, 16384].filter(
  within(TICKER_LIMITS.minSize, TICKER_LIMITS.maxSize),
);
export const POLL_INTERVAL_CHOICES = [100, 250, 500, 1000, 2000, 5000];
export const LONG_POLL_WAIT_CHOICES = [1000, 5000, 10000, 25000, 30000].filter(
  within(TICKER_LIMITS.minWaitMs, TICKER_LIMITS.maxWaitMs),
);

/**
 * Two events a second, polled four times a second: short polling asks twice per event, as it
 * would for anything that happens less often than it looks.
 */
export const DEFAULT_RUN_SETTINGS: RunSettings = {
  rate: 2,
  size: TICKER_LIMITS.defaultSize,
  pollIntervalMs: 250,
  longPollWaitMs: TICKER_LIMITS.defaultWaitMs,
};
