import type { CallQuality, CallStats } from './types.js';
import type { StatsReportLike } from './rtc-types.js';

/** Counters kept between two samples to turn totals into rates. */
export interface StatsSample {
  readonly timestampMs: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsLost: number;
  readonly packetsReceived: number;
  readonly videoFramesDecoded: number;
}

export interface ParsedStats {
  readonly stats: CallStats;
  readonly sample: StatsSample;
}

type Entry = Record<string, unknown> & { type?: unknown; id?: unknown };

export const EMPTY_CALL_STATS: CallStats = Object.freeze({
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

/** good: rtt < 150 ms and loss < 2 %; fair: rtt < 400 ms and loss < 8 %; else poor. Unknown without either. */
export function callQuality(rttMs: number | null, packetLossPct: number | null): CallQuality {
  if (rttMs === null && packetLossPct === null) return 'unknown';
  const rtt = rttMs ?? 0;
  const loss = packetLossPct ?? 0;
  if (rtt < 150 && loss < 2) return 'good';
  if (rtt < 400 && loss < 8) return 'fair';
  return 'poor';
}

/**
 * Reads a `getStats()` report. Rates (kbps, loss) come from the difference with `previous`, the
 * sample of the last call; without one, kbps are null and loss is the call's total so far.
 */
export function parseCallStats(
  report: StatsReportLike,
  previous: StatsSample | null,
  nowMs = Date.now(),
): ParsedStats {
  const entries: Entry[] = [];
  report.forEach((value) => {
    if (typeof value === 'object' && value !== null) entries.push(value as Entry);
  });
  const get = (id: unknown): Entry | undefined => {
    if (typeof id !== 'string') return undefined;
    const value = report.get(id);
    return typeof value === 'object' && value !== null ? (value as Entry) : undefined;
  };

  const outbound = entries.filter((entry) => entry.type === 'outbound-rtp');
  const inbound = entries.filter((entry) => entry.type === 'inbound-rtp');
  const rtpTimes = [...outbound, ...inbound]
    .map((entry) => num(entry.timestamp))
    .filter((t): t is number => t !== null);
  const sample: StatsSample = {
    timestampMs: rtpTimes.length > 0 ? Math.max(...rtpTimes) : nowMs,
    bytesSent: sum(outbound, 'bytesSent'),
    bytesReceived: sum(inbound, 'bytesReceived'),
    packetsLost: sum(inbound, 'packetsLost'),
    packetsReceived: sum(inbound, 'packetsReceived'),
    videoFramesDecoded: sum(
      inbound.filter((entry) => (entry.kind ?? entry.mediaType) === 'video'),
      'framesDecoded',
    ),
  };

  const pair = selectedPair(entries, get);
  const rttSeconds = num(pair?.currentRoundTripTime) ?? remoteRoundTripTime(entries);
  const rttMs = rttSeconds === null ? null : Math.round(rttSeconds * 1000);

  const elapsedMs = previous ? sample.timestampMs - previous.timestampMs : 0;
  const rate = (now: number, before: number | undefined): number | null => {
    if (before === undefined || elapsedMs <= 0 || now < before) return null;
    return Math.round(((now - before) * 8) / elapsedMs); // bytes per ms × 8 = kbit/s
  };
  const outboundKbps = rate(sample.bytesSent, previous?.bytesSent);
  const inboundKbps = rate(sample.bytesReceived, previous?.bytesReceived);

  const packetLossPct = lossPercent(sample, previous, inbound.length > 0);

  return {
    sample,
    stats: Object.freeze({
      rttMs,
      outboundKbps,
      inboundKbps,
      packetLossPct,
      audioCodec: codecOf('audio', outbound, inbound, get),
      videoCodec: codecOf('video', outbound, inbound, get),
      localCandidateType: str(get(pair?.localCandidateId)?.candidateType),
      remoteCandidateType: str(get(pair?.remoteCandidateId)?.candidateType),
      receivingVideo: previous ? sample.videoFramesDecoded > previous.videoFramesDecoded : null,
      quality: callQuality(rttMs, packetLossPct),
    }),
  };
}

function selectedPair(
  entries: Entry[],
  get: (id: unknown) => Entry | undefined,
): Entry | undefined {
  for (const transport of entries) {
    if (transport.type !== 'transport') continue;
    const pair = get(transport.selectedCandidatePairId);
    if (pair) return pair;
  }
  const pairs = entries.filter((entry) => entry.type === 'candidate-pair');
  return (
    pairs.find((pair) => pair.selected === true) ?? // Firefox
    pairs.find((pair) => pair.nominated === true && pair.state === 'succeeded')
  );
}

function remoteRoundTripTime(entries: Entry[]): number | null {
  for (const entry of entries) {
    if (entry.type !== 'remote-inbound-rtp') continue;
    const rtt = num(entry.roundTripTime);
    if (rtt !== null) return rtt;
  }
  return null;
}

function lossPercent(
  sample: StatsSample,
  previous: StatsSample | null,
  hasInbound: boolean,
): number | null {
  if (!hasInbound) return null;
  let lost = sample.packetsLost;
  let received = sample.packetsReceived;
  if (previous) {
    lost -= previous.packetsLost;
    received -= previous.packetsReceived;
    if (lost < 0 || received < 0) return null; // counters restarted (new SSRCs)
  }
  const total = lost + received;
  if (total <= 0) return previous ? null : 0;
  return Math.round((lost / total) * 10000) / 100;
}

function codecOf(
  kind: string,
  outbound: Entry[],
  inbound: Entry[],
  get: (id: unknown) => Entry | undefined,
): string | null {
  for (const entry of [...outbound, ...inbound]) {
    if ((entry.kind ?? entry.mediaType) !== kind) continue;
    const mimeType = str(get(entry.codecId)?.mimeType);
    if (mimeType) return mimeType;
  }
  return null;
}

function sum(entries: Entry[], key: string): number {
  return entries.reduce((total, entry) => total + (num(entry[key]) ?? 0), 0);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
