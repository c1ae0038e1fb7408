import type { TickerTransport } from '@duplex/protocol';
import { TRANSPORT_NAMES, TRANSPORT_NAMES_IN_TEXT } from './transport-names';

/** The numbers of one transport the conclusion is drawn from. */
export interface TransportFigures {
  transport: TickerTransport;
  events: number;
  /** HTTP requests (polls), or connections opened (SSE, WebSocket). */
  requests: number;
  emptyResponses: number;
  bytesPerEvent: number | null;
  latencyP50: number | null;
}

const STREAMS: readonly TickerTransport[] = ['sse', 'websocket'];

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function bytes(value: number): string {
  return `${Math.round(value)} bytes`;
}

function sentenceOf(figures: TransportFigures): string {
  const name = TRANSPORT_NAMES[figures.transport];
  const perEvent =
    figures.bytesPerEvent === null ? '' : ` at ${bytes(figures.bytesPerEvent)} per event`;
  if (STREAMS.includes(figures.transport)) {
    return `${name} opened ${count(figures.requests, 'connection')} for ${count(figures.events, 'event')}${perEvent}.`;
  }
  return `${name} made ${count(figures.requests, 'request')} for ${count(figures.events, 'event')} (${figures.emptyResponses} empty)${perEvent}.`;
}

/** Which transports cost the most and the least bytes per event, and the ratio. */
function bytesComparison(figures: readonly TransportFigures[]): string | null {
  const measured = figures.filter(
    (f): f is TransportFigures & { bytesPerEvent: number } =>
      f.bytesPerEvent !== null && f.bytesPerEvent > 0,
  );
  if (measured.length < 2) return null;
  const sorted = [...measured].sort((a, b) => a.bytesPerEvent - b.bytesPerEvent);
  const least = sorted[0]!;
  const most = sorted.at(-1)!;
  const ratio = most.bytesPerEvent / least.bytesPerEvent;
  if (ratio < 1.05) {
    const names = sorted.map((f) => TRANSPORT_NAMES_IN_TEXT[f.transport]);
    return `Per event, ${names.slice(0, -1).join(', ')} and ${names.at(-1)} cost about the same bytes.`;
  }
  return `Per event, ${TRANSPORT_NAMES_IN_TEXT[most.transport]} cost ${ratio.toFixed(1)} times the bytes of ${TRANSPORT_NAMES_IN_TEXT[least.transport]}.`;
}

function latencyComparison(figures: readonly TransportFigures[]): string | null {
  const measured = figures.filter(
    (f): f is TransportFigures & { latencyP50: number } => f.latencyP50 !== null,
  );
  if (measured.length === 0) return null;
  const parts = measured.map(
    (f) => `${TRANSPORT_NAMES_IN_TEXT[f.transport]} ${Math.round(f.latencyP50)} ms`,
  );
  return `Median latency: ${parts.join(', ')}.`;
}

/**
 * The conclusion the numbers on the page support, in sentences built from them: what each
 * transport did for the events it received, which cost the most bytes per event and by how much,
 * and the median latencies. Null until some transport has received an event.
 */
export function conclusionText(figures: readonly TransportFigures[]): string | null {
  const withEvents = figures.filter((f) => f.events > 0);
  if (withEvents.length === 0) return null;
  return [...withEvents.map(sentenceOf), bytesComparison(withEvents), latencyComparison(withEvents)]
    .filter((part): part is string => part !== null)
    .join(' ');
}
