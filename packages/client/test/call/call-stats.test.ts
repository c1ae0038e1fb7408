import { describe, expect, it } from 'vitest';
import { callQuality, parseCallStats, turnCredentialsExpiring } from '../../src/call/index.js';

function report(entries: Record<string, unknown>[]): Map<string, unknown> {
  return new Map(entries.map((entry) => [String(entry.id), entry]));
}

/** A Chrome-like report at `t` ms with the given cumulative counters. */
function chromeReport(
  t: number,
  counters: { sent: number; received: number; lost: number; packets: number },
  rtt = 0.042,
) {
  return report([
    { id: 'T01', type: 'transport', timestamp: t, selectedCandidatePairId: 'CP1' },
    {
      id: 'CP0',
      type: 'candidate-pair',
      timestamp: t,
      state: 'failed',
      nominated: false,
      currentRoundTripTime: 2,
      localCandidateId: 'L0',
      remoteCandidateId: 'R0',
    },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: t,
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: rtt,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
    },
    { id: 'L0', type: 'local-candidate', candidateType: 'host' },
    { id: 'L1', type: 'local-candidate', candidateType: 'relay' },
    { id: 'R1', type: 'remote-candidate', candidateType: 'srflx' },
    { id: 'C-opus', type: 'codec', mimeType: 'audio/opus' },
    { id: 'C-vp8', type: 'codec', mimeType: 'video/VP8' },
    {
      id: 'OA',
      type: 'outbound-rtp',
      kind: 'audio',
      timestamp: t,
      codecId: 'C-opus',
      bytesSent: counters.sent / 4,
    },
    {
      id: 'OV',
      type: 'outbound-rtp',
      kind: 'video',
      timestamp: t,
      codecId: 'C-vp8',
      bytesSent: (counters.sent * 3) / 4,
    },
    {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp: t,
      codecId: 'C-opus',
      bytesReceived: counters.received / 2,
      packetsLost: counters.lost,
      packetsReceived: counters.packets / 2,
    },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: t,
      codecId: 'C-vp8',
      bytesReceived: counters.received / 2,
      packetsLost: 0,
      packetsReceived: counters.packets / 2,
    },
  ]);
}

describe('parseCallStats', () => {
  it('tells whether remote video frames were decoded since the previous sample', () => {
    const report = (framesDecoded: number) =>
      new Map<string, unknown>([
        ['IV', { id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp: 1, framesDecoded }],
        ['IA', { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: 1, framesDecoded: 999 }],
      ]);
    const first = parseCallStats(report(10), null);
    expect(first.stats.receivingVideo).toBeNull();
    const flowing = parseCallStats(report(30), first.sample);
    expect(flowing.stats.receivingVideo).toBe(true);
    const stalled = parseCallStats(report(30), flowing.sample);
    expect(stalled.stats.receivingVideo).toBe(false);
  });

  it('reads rtt, codecs and candidate types from the selected pair; kbps need a previous sample', () => {
    const { stats, sample } = parseCallStats(
      chromeReport(1000, { sent: 40_000, received: 20_000, lost: 1, packets: 99 }),
      null,
    );
    expect(stats).toEqual({
      rttMs: 42,
      outboundKbps: null,
      inboundKbps: null,
      packetLossPct: 1, // 1 of 100 so far
      audioCodec: 'audio/opus',
      videoCodec: 'video/VP8',
      localCandidateType: 'relay',
      remoteCandidateType: 'srflx',
      receivingVideo: null,
      quality: 'good',
    });
    expect(sample).toEqual({
      timestampMs: 1000,
      bytesSent: 40_000,
      bytesReceived: 20_000,
      packetsLost: 1,
      packetsReceived: 99,
      videoFramesDecoded: 0,
    });
  });

  it('turns byte and packet deltas into kbps and loss %', () => {
    const first = parseCallStats(
      chromeReport(1000, { sent: 40_000, received: 20_000, lost: 1, packets: 99 }),
      null,
    );
    // 2 s later: +250 000 bytes sent (1000 kbit/s), +50 000 received (200 kbit/s), 6 lost of 200.
    const second = parseCallStats(
      chromeReport(3000, { sent: 290_000, received: 70_000, lost: 7, packets: 293 }, 0.2),
      first.sample,
    );
    expect(second.stats).toMatchObject({
      outboundKbps: 1000,
      inboundKbps: 200,
      packetLossPct: 3,
      rttMs: 200,
      quality: 'fair',
    });
  });

  it('gives null rates when counters went backwards (new streams after renegotiation)', () => {
    const first = parseCallStats(
      chromeReport(1000, { sent: 40_000, received: 20_000, lost: 5, packets: 100 }),
      null,
    );
    const second = parseCallStats(
      chromeReport(2000, { sent: 1000, received: 1000, lost: 0, packets: 10 }),
      first.sample,
    );
    expect(second.stats).toMatchObject({
      outboundKbps: null,
      inboundKbps: null,
      packetLossPct: null,
    });
  });

  it('finds the pair by `selected` (Firefox) or nominated + succeeded, and falls back on remote-inbound-rtp rtt', () => {
    const firefox = report([
      {
        id: 'p1',
        type: 'candidate-pair',
        state: 'succeeded',
        nominated: true,
        selected: false,
        currentRoundTripTime: 0.5,
        localCandidateId: 'a',
      },
      {
        id: 'p2',
        type: 'candidate-pair',
        state: 'succeeded',
        nominated: true,
        selected: true,
        currentRoundTripTime: 0.03,
        localCandidateId: 'b',
      },
      { id: 'a', type: 'local-candidate', candidateType: 'host' },
      { id: 'b', type: 'local-candidate', candidateType: 'prflx' },
    ]);
    expect(parseCallStats(firefox, null).stats).toMatchObject({
      rttMs: 30,
      localCandidateType: 'prflx',
      remoteCandidateType: null,
    });

    const nominated = report([
      {
        id: 'p1',
        type: 'candidate-pair',
        state: 'in-progress',
        nominated: false,
        currentRoundTripTime: 0.5,
      },
      {
        id: 'p2',
        type: 'candidate-pair',
        state: 'succeeded',
        nominated: true,
        remoteCandidateId: 'r',
      },
      { id: 'r', type: 'remote-candidate', candidateType: 'host' },
      { id: 'ri', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.31 },
    ]);
    expect(parseCallStats(nominated, null).stats).toMatchObject({
      rttMs: 310,
      remoteCandidateType: 'host',
      packetLossPct: null,
      quality: 'fair',
    });
  });

  it('is all null and quality unknown for an empty report', () => {
    expect(parseCallStats(new Map(), null).stats).toEqual({
      rttMs: null,
      outboundKbps: null,
      inboundKbps: null,
      packetLossPct: null,
      audioCodec: null,
      videoCodec: null,
      localCandidateType: null,
      remoteCandidateType: null,
      receivingVideo: null,
      quality: 'unknown',
    });
  });
});

describe('callQuality', () => {
  it.each([
    [null, null, 'unknown'],
    [149, 1.9, 'good'],
    [150, 0, 'fair'],
    [20, 2, 'fair'],
    [399, 7.9, 'fair'],
    [400, 0, 'poor'],
    [20, 8, 'poor'],
    [100, null, 'good'],
    [null, 10, 'poor'],
  ] as const)('rtt %s ms, loss %s %% → %s', (rtt, loss, quality) => {
    expect(callQuality(rtt, loss)).toBe(quality);
  });
});

describe('turnCredentialsExpiring', () => {
  const now = 1_700_000_000_000;
  const turn = (expirySeconds: number) => ({
    urls: ['turn:127.0.0.1:3478?transport=udp'],
    username: `${expirySeconds}:u-1`,
    credential: 'c',
  });

  it('is true when a TURN username expires within the margin or has expired', () => {
    expect(turnCredentialsExpiring([turn(now / 1000 + 30)], now, 60_000)).toBe(true);
    expect(turnCredentialsExpiring([turn(now / 1000 - 5)], now, 60_000)).toBe(true);
    expect(turnCredentialsExpiring([turn(now / 1000 + 3600)], now, 60_000)).toBe(false);
  });

  it('ignores STUN entries and usernames not in the TURN REST form', () => {
    expect(
      turnCredentialsExpiring([{ urls: 'stun:127.0.0.1:3478', username: '1:x' }], now, 60_000),
    ).toBe(false);
    expect(
      turnCredentialsExpiring([{ urls: 'turn:h', username: 'static-user' }], now, 60_000),
    ).toBe(false);
  });
});
