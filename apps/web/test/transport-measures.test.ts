import { describe, expect, it } from 'vitest';
import {
  addResourceEntries,
  bytesPerEvent,
  type ResourceBytes,
} from '@/lib/transports/bytes-per-event';
import { ClockOffsetEstimator, offsetOf } from '@/lib/transports/clock-offset';
import { conclusionText, type TransportFigures } from '@/lib/transports/conclusion';
import { LatencyWindow, eventLatency, percentile } from '@/lib/transports/latency-window';
import { phaseLabel } from '@/lib/transports/phase-label';
import { ServerDeltaTracker } from '@/lib/transports/server-deltas';
import type { TickerStats, TickerTransportStats } from '@duplex/protocol';

describe('latency', () => {
  it('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100…1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('the window keeps the most recent samples only', () => {
    const window = new LatencyWindow(3);
    for (const value of [1000, 1, 2, 3]) window.add(value);
    expect(window.values()).toEqual([1, 2, 3]);
    expect(window.percentile(99)).toBe(3);
  });

  it('is the receive time in the server clock minus ts', () => {
    // Browser 40 ms behind the server: received at 1_000 (browser) is 1_040 (server).
    expect(eventLatency(1_010, 1_000, 40)).toBe(30);
  });
});

describe('clock offset', () => {
  it('takes the server time as read half-way through the round trip', () => {
    expect(offsetOf({ t0: 1_000, t1: 1_100, serverTime: 5_050 })).toEqual({
      offsetMs: 4_000,
      roundTripMs: 100,
    });
  });

  it('trusts the sample with the shortest round trip among the recent ones', () => {
    const estimator = new ClockOffsetEstimator(3);
    expect(estimator.estimate()).toBeNull();
    estimator.add({ t0: 0, t1: 10, serverTime: 505 }); // offset 500, rtt 10
    estimator.add({ t0: 100, t1: 300, serverTime: 900 }); // offset 700, rtt 200
    estimator.add({ t0: 400, t1: 420, serverTime: 920 }); // offset 510, rtt 20
    expect(estimator.estimate()).toEqual({ offsetMs: 500, roundTripMs: 10 });
    estimator.add({ t0: 500, t1: 540, serverTime: 1_020 }); // pushes the first out
    expect(estimator.estimate()).toEqual({ offsetMs: 510, roundTripMs: 20 });
  });
});

describe('bytes per event', () => {
  it('divides, and is null without events', () => {
    expect(bytesPerEvent(640, 4)).toBe(160);
    expect(bytesPerEvent(640, 0)).toBeNull();
  });

  it('sums transferSize of the entries on one path, whatever their query', () => {
    const into: ResourceBytes = { responses: 0, bytes: 0, hidden: 0 };
    addResourceEntries(
      into,
      [
        { name: 'http://api.test/api/ticker/poll?rate=1&size=16', transferSize: 300 },
        { name: 'http://api.test/api/ticker/poll?rate=1&size=16&after=4', transferSize: 340 },
        { name: 'http://api.test/api/ticker/long-poll?rate=1', transferSize: 999 },
        { name: 'http://api.test/api/ticker/poll/x', transferSize: 999 },
        { name: 'http://api.test/api/ticker/poll?after=5', transferSize: 0 },
      ],
      'http://api.test/api/ticker/poll',
    );
    expect(into).toEqual({ responses: 3, bytes: 640, hidden: 1 });
  });
});

function transportStats(over: Partial<TickerTransportStats> = {}): TickerTransportStats {
  return { requests: 0, emptyResponses: 0, events: 0, bytes: 0, open: 0, ...over };
}

function stats(
  sse: Partial<TickerTransportStats>,
  cpu: number,
  poll: Partial<TickerTransportStats> = {},
): TickerStats {
  return {
    transports: {
      poll: transportStats(poll),
      long_poll: transportStats(),
      sse: transportStats(sse),
      websocket: transportStats(),
    },
    cpu: { userMicros: cpu, systemMicros: cpu },
    serverTime: 0,
  };
}

describe('ServerDeltaTracker', () => {
  it('counts from the first sample, and carries on from 0 after the api restarted', () => {
    const tracker = new ServerDeltaTracker();
    tracker.add(stats({ events: 100, bytes: 5_000, open: 1 }, 1_000, { requests: 40 }));
    tracker.add(stats({ events: 110, bytes: 5_600, open: 1 }, 1_500, { requests: 48 }));
    // Restarted: every counter starts again from 0.
    tracker.add(stats({ events: 4, bytes: 300, open: 0 }, 200, { requests: 3 }));
    const deltas = tracker.deltas();
    expect(deltas.transports.sse).toMatchObject({ events: 14, bytes: 900, open: 0 });
    expect(deltas.transports.poll.requests).toBe(11);
    expect(deltas.events).toBe(14);
    expect(deltas.cpuMicros).toBe(1_000 + 400);
  });
});

function figures(over: Partial<TransportFigures> & Pick<TransportFigures, 'transport'>) {
  return {
    events: 0,
    requests: 0,
    emptyResponses: 0,
    bytesPerEvent: null,
    latencyP50: null,
    ...over,
  } satisfies TransportFigures;
}

describe('conclusionText', () => {
  it('says what each transport did, which cost the most bytes and by how much, from the numbers', () => {
    const text = conclusionText([
      figures({
        transport: 'poll',
        events: 50,
        requests: 412,
        emptyResponses: 362,
        bytesPerEvent: 640.4,
        latencyP50: 480,
      }),
      figures({
        transport: 'long_poll',
        events: 50,
        requests: 51,
        emptyResponses: 1,
        bytesPerEvent: 420,
        latencyP50: 12,
      }),
      figures({ transport: 'sse', events: 50, requests: 1, bytesPerEvent: 62, latencyP50: 3.4 }),
      figures({
        transport: 'websocket',
        events: 50,
        requests: 1,
        bytesPerEvent: 31,
        latencyP50: 2,
      }),
    ]);
    expect(text).toBe(
      'Short polling made 412 requests for 50 events (362 empty) at 640 bytes per event. ' +
        'Long polling made 51 requests for 50 events (1 empty) at 420 bytes per event. ' +
        'SSE opened 1 connection for 50 events at 62 bytes per event. ' +
        'WebSocket opened 1 connection for 50 events at 31 bytes per event. ' +
        'Per event, short polling cost 20.7 times the bytes of WebSocket. ' +
        'Median latency: short polling 480 ms, long polling 12 ms, SSE 3 ms, WebSocket 2 ms.',
    );
  });

  it('leaves out what is not measured yet, and is null before any event', () => {
    expect(
      conclusionText([figures({ transport: 'poll', requests: 3, emptyResponses: 3 })]),
    ).toBeNull();
    expect(
      conclusionText([
        figures({ transport: 'websocket', events: 1, requests: 1 }),
        figures({ transport: 'poll', requests: 2 }),
      ]),
    ).toBe('WebSocket opened 1 connection for 1 event.');
    expect(
      conclusionText([
        figures({ transport: 'sse', events: 4, requests: 1, bytesPerEvent: 60 }),
        figures({ transport: 'websocket', events: 4, requests: 1, bytesPerEvent: 61 }),
      ]),
    ).toBe(
      'SSE opened 1 connection for 4 events at 60 bytes per event. ' +
        'WebSocket opened 1 connection for 4 events at 61 bytes per event. ' +
        'Per event, SSE and WebSocket cost about the same bytes.',
    );
  });
});

describe('phaseLabel', () => {
  it('names each phase the way the transport lives it', () => {
    expect(phaseLabel('long_poll', { name: 'active' }).text).toBe('Request held');
    expect(phaseLabel('websocket', { name: 'active' })).toEqual({ text: 'Open', tone: 'ok' });
    expect(phaseLabel('poll', { name: 'waiting' }).text).toBe('Polling');
    expect(phaseLabel('sse', { name: 'retrying', reason: 'HTTP 503', delayMs: 1000 })).toEqual({
      text: 'Retrying in 1000 ms (HTTP 503)',
      tone: 'warn',
    });
    expect(phaseLabel('poll', { name: 'failed', reason: 'refused (400): x' }).tone).toBe('danger');
  });
});
