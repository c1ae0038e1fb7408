import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RECONNECT_OPTIONS } from '../src/index.js';

const middle = () => 0.5;

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay up to the maximum (defaults)', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, {}, middle));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(DEFAULT_RECONNECT_OPTIONS).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 15_000,
      factor: 2,
      jitter: 0.5,
    });
  });

  it('spreads over ±jitter of the nominal delay', () => {
    expect(backoffDelay(2, {}, () => 0)).toBe(1_000);
    expect(backoffDelay(2, {}, () => 0.999_999)).toBe(3_000);
    expect(backoffDelay(2, { jitter: 0.2 }, () => 0)).toBe(1_600);
    expect(backoffDelay(2, { jitter: 0 }, () => 0)).toBe(2_000);
  });

  it('stays within [nominal × (1 − jitter), min(max, nominal × (1 + jitter))] for any random value', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const nominal = Math.min(15_000, 500 * 2 ** attempt);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
        const delay = backoffDelay(attempt, {}, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.round(nominal * 0.5));
        expect(delay).toBeLessThanOrEqual(Math.min(15_000, nominal * 1.5));
      }
    }
  });

  it('honours custom options and clamps jitter to [0, 1]', () => {
    const options = { initialDelayMs: 100, factor: 3, maxDelayMs: 2_000, jitter: 0 };
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options))).toEqual([
      100, 300, 900, 2_000,
    ]);
    expect(backoffDelay(0, { initialDelayMs: 100, jitter: 5 }, () => 0)).toBe(0);
    expect(backoffDelay(0, { initialDelayMs: 100, jitter: -1 }, () => 0)).toBe(100);
  });

  it('uses Math.random by default and returns whole milliseconds', () => {
    const delays = Array.from({ length: 50 }, () => backoffDelay(1));
    for (const delay of delays) {
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1_500);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
