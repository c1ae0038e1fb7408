export interface ReconnectOptions {
  /** Delay before the first retry, in ms. Default 500. */
  initialDelayMs?: number;
  /** Upper bound of any delay, in ms. Default 15000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Spread around the nominal delay, 0..1: 0.5 draws from ±50%. Default 0.5. */
  jitter?: number;
}

export const DEFAULT_RECONNECT_OPTIONS: Readonly<Required<ReconnectOptions>> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  factor: 2,
  jitter: 0.5,
});

/**
 * Delay before retry number `attempt` (0 for the first retry): `initialDelayMs × factor^attempt`,
 * capped at `maxDelayMs`, then spread uniformly over ±`jitter` of itself so that clients dropped
 * together do not come back together. The result never exceeds `maxDelayMs`.
 * `random` returns a number in [0, 1), like `Math.random`.
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const { initialDelayMs, maxDelayMs, factor, jitter } = {
    ...DEFAULT_RECONNECT_OPTIONS,
    ...options,
  };
  const spread = Math.min(Math.max(jitter, 0), 1);
  const nominal = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt));
  const jittered = nominal * (1 + spread * (2 * random() - 1));
  return Math.round(Math.min(maxDelayMs, Math.max(0, jittered)));
}
