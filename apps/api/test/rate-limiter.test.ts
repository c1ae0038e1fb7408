import { describe, expect, it } from 'vitest';
import { ConnectionRateLimiter, type RateDecision } from '../src/ws/rate-limiter.js';

function limiter(messagesPerSecond: number, burst: number) {
  const clock = { now: 1_000 };
  const rate = new ConnectionRateLimiter({ messagesPerSecond, burst }, () => clock.now);
  return {
    clock,
    rate,
    decide: (count = 1): RateDecision[] => Array.from({ length: count }, () => rate.decide()),
  };
}

describe('ConnectionRateLimiter', () => {
  it('starts full: burst frames accepted, the next rejected', () => {
    const { decide } = limiter(2, 3);
    expect(decide(3)).toEqual(['accept', 'accept', 'accept']);
    expect(decide()).toEqual(['reject']);
  });

  it('refills at messagesPerSecond', () => {
    const { clock, decide } = limiter(2, 3);
    decide(3);
    clock.now += 499;
    expect(decide()).toEqual(['reject']);
    clock.now += 1; // 500 ms in total → one token
    expect(decide()).toEqual(['accept']);
    expect(decide()).toEqual(['reject']);
    clock.now += 1000; // two more tokens
    expect(decide(3)).toEqual(['accept', 'accept', 'reject']);
  });

  it('accumulates fractional refills across calls', () => {
    const { clock, decide } = limiter(1, 1);
    decide();
    for (let i = 0; i < 3; i++) {
      clock.now += 250;
      expect(decide()).toEqual(['reject']);
    }
    clock.now += 250;
    expect(decide()).toEqual(['accept']);
  });

  it('does not refill past burst', () => {
    const { clock, decide } = limiter(10, 4);
    decide(4);
    clock.now += 60_000;
    expect(decide(5)).toEqual(['accept', 'accept', 'accept', 'accept', 'reject']);
  });

  it('a rejected frame takes no token', () => {
    const { clock, decide } = limiter(1, 1);
    decide();
    clock.now += 500;
    decide(3); // rejected, taking nothing
    clock.now += 500;
    expect(decide()).toEqual(['accept']);
  });

  it('more than 10 × burst rejected in a row → close', () => {
    const { decide } = limiter(1, 2);
    decide(2);
    const rejected = decide(20);
    expect(rejected.every((decision) => decision === 'reject')).toBe(true);
    expect(decide()).toEqual(['close']);
  });

  it('an accepted frame ends the row', () => {
    const { clock, decide } = limiter(1, 2);
    decide(2);
    expect(decide(20).every((decision) => decision === 'reject')).toBe(true);
    clock.now += 1000;
    expect(decide()).toEqual(['accept']);
    expect(decide(20).every((decision) => decision === 'reject')).toBe(true);
    expect(decide()).toEqual(['close']);
  });

  it('supports fractional rates', () => {
    const { clock, decide } = limiter(0.5, 1);
    decide();
    clock.now += 1999;
    expect(decide()).toEqual(['reject']);
    clock.now += 1;
    expect(decide()).toEqual(['accept']);
  });
});
