import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import {
  ConnectionRateLimiter,
  SlidingWindowCounter,
  type RateDecision,
} from '../src/ws/rate-limiter.js';

const WINDOW_MS = PROTOCOL_BOUNDS.rejectedWindowMs;

function limiter(messagesPerSecond: number, burst: number) {
  const clock = { now: 1_000 };
  const rate = new ConnectionRateLimiter({ messagesPerSecond, burst }, () => clock.now);
  return {
    clock,
    rate,
    decide: (count = 1): RateDecision[] => Array.from({ length: count }, () => rate.decide()),
  };
}

const all = (decision: RateDecision, count: number): RateDecision[] =>
  Array.from({ length: count }, () => decision);

describe('ConnectionRateLimiter: token bucket', () => {
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

  it('supports fractional rates', () => {
    const { clock, decide } = limiter(0.5, 1);
    decide();
    clock.now += 1999;
    expect(decide()).toEqual(['reject']);
    clock.now += 1;
    expect(decide()).toEqual(['accept']);
  });
});

describe('ConnectionRateLimiter: the 1008 rule', () => {
  const BURST = 2;
  const ALLOWED = PROTOCOL_BOUNDS.rejectedFactor * BURST; // 20

  it('rejectedFactor × burst rejections are allowed; one more within the window → close', () => {
    const { decide } = limiter(1, BURST);
    expect(decide(BURST)).toEqual(all('accept', BURST));
    expect(decide(ALLOWED)).toEqual(all('reject', ALLOWED));
    expect(decide()).toEqual(['close']);
  });

  it('once closed, every later frame is close, whatever the bucket holds', () => {
    const { clock, decide } = limiter(1, BURST);
    decide(BURST + ALLOWED + 1);
    clock.now += 60_000;
    expect(decide(3)).toEqual(all('close', 3));
  });

  it('a refilled token does not reset the count (the rule of revision 1 did)', () => {
    const { clock, decide } = limiter(2, BURST);
    decide(BURST);
    for (let i = 0; i < ALLOWED / 2; i++) {
      expect(decide(2)).toEqual(['reject', 'reject']);
      clock.now += 500; // one token back…
      expect(decide()).toEqual(['accept']); // …and taken
    }
    // 20 rejections within the last 5 s: the next one closes, although a frame was just accepted.
    expect(decide()).toEqual(['close']);
  });

  it('a steady flood at 5× the limit is closed within a few seconds', () => {
    const MESSAGES_PER_SECOND = 10;
    const { clock, decide } = limiter(MESSAGES_PER_SECOND, 5);
    const intervalMs = 1000 / (5 * MESSAGES_PER_SECOND); // 50 frames/s
    const start = clock.now;
    let accepted = 0;
    let decision: RateDecision;
    do {
      decision = decide()[0]!;
      if (decision === 'accept') accepted++;
      clock.now += intervalMs;
    } while (decision !== 'close' && clock.now - start < 60_000);
    expect(decision).toBe('close');
    // 50 rejections at 40 a second: the 51st comes after about 1.3 s.
    expect(clock.now - start).toBeLessThan(WINDOW_MS);
    expect(accepted).toBeGreaterThan(5); // refilled tokens were served meanwhile
  });

  it('a flood a little over the limit, under rejectedFactor × burst per window, is never closed', () => {
    const { clock, decide } = limiter(10, 5);
    const decisions = new Set<RateDecision>();
    // 12 frames a second against 10: about 2 rejections a second, 20 per window, 50 allowed.
    for (let i = 0; i < 12 * 120; i++) {
      decisions.add(decide()[0]!);
      clock.now += 1000 / 12;
    }
    expect(decisions).toEqual(new Set(['accept', 'reject']));
  });

  it('rejections older than the window no longer count', () => {
    const { clock, decide } = limiter(0.001, BURST);
    decide(BURST);
    expect(decide(ALLOWED)).toEqual(all('reject', ALLOWED));
    clock.now += WINDOW_MS; // all of them now exactly one window old
    expect(decide(ALLOWED)).toEqual(all('reject', ALLOWED));
    expect(decide()).toEqual(['close']);
  });
});

describe('SlidingWindowCounter', () => {
  function counter(allowed: number, windowMs: number) {
    const clock = { now: 0 };
    const window = new SlidingWindowCounter(allowed, windowMs, () => clock.now);
    return { clock, record: () => window.record() };
  }

  it('trips on event allowed + 1 within the window', () => {
    const { clock, record } = counter(3, 1000);
    for (let i = 0; i < 3; i++) {
      expect(record()).toBe(false);
      clock.now += 300;
    }
    // Events at 0, 300, 600; now 900: a fourth within 1000 ms of the first.
    expect(record()).toBe(true);
  });

  it('slides: the oldest event leaves the window after windowMs', () => {
    const { clock, record } = counter(3, 1000);
    for (const at of [0, 1, 2]) {
      clock.now = at;
      expect(record()).toBe(false);
    }
    clock.now = 1000; // the event at 0 is out; those at 1 and 2 are in
    expect(record()).toBe(false);
    clock.now = 1000; // events at 1, 2, 1000 in the window: one more is the fourth
    expect(record()).toBe(true);
  });

  it('never trips when events come at most allowed per window', () => {
    const { clock, record } = counter(4, 1000);
    for (let i = 0; i < 1000; i++) {
      expect(record()).toBe(false);
      clock.now += 250;
    }
  });

  it('works with a window of one event', () => {
    const { clock, record } = counter(1, 100);
    expect(record()).toBe(false);
    clock.now += 99;
    expect(record()).toBe(true);
  });
});
