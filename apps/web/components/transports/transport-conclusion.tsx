import { conclusionText, type TransportFigures } from '@/lib/transports/conclusion';
import { LATENCY_WINDOW, type RunView } from '@/lib/transports/transport-run';

function figuresOf(view: RunView): TransportFigures[] {
  return view.clients.map((client) => ({
    transport: client.transport,
    events: client.counters.events,
    requests: client.counters.requests,
    emptyResponses: client.counters.emptyResponses,
    bytesPerEvent: client.bytes.perEvent,
    latencyP50: client.latency.p50,
  }));
}

/** What the numbers above say, in words made from them. */
export function TransportConclusion({ view }: { view: RunView }) {
  const text = conclusionText(figuresOf(view));
  return (
    <section className="card" aria-labelledby="transports-conclusion-title">
      <h2 id="transports-conclusion-title" className="card-title">
        What the numbers say
      </h2>
      <p data-testid="transports-conclusion">{text ?? 'No events yet.'}</p>
      <p className="hint">
        Bytes per event count what came back, headers included: for the two pollers the browser’s
        own measure of each response (Resource Timing <code>transferSize</code>), for SSE and
        WebSocket the server’s counters since Start, which include every client of this api instance
        on those transports. Latency is the time from an event being due (its <code>ts</code>) to
        its arrival here, over each client’s last {LATENCY_WINDOW} events.
      </p>
    </section>
  );
}
