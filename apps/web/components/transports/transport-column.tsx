import { LatencySparkline } from './latency-sparkline';
import { phaseLabel } from '@/lib/transports/phase-label';
import type { ClientView } from '@/lib/transports/transport-run';
import { TRANSPORT_NAMES } from '@/lib/transports/transport-names';
import styles from './transports.module.css';

const HOW: Record<ClientView['transport'], string> = {
  poll: 'fetch every interval, with after=<last seq>',
  long_poll: 'fetch held by the server until an event is due',
  sse: 'one EventSource; resumes with Last-Event-ID',
  websocket: 'one WebSocket to /ws/ticker; reconnects with after',
};

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

function Stat({
  label,
  value,
  testId,
  raw,
  note,
}: {
  label: string;
  value: string;
  testId?: string;
  /** The number itself, for tests: the text may carry a unit. */
  raw?: number | null;
  note?: string;
}) {
  return (
    <div className={styles.stat}>
      <dt>{label}</dt>
      <dd>
        <span className="mono" data-testid={testId} data-value={raw ?? undefined}>
          {value}
        </span>
        {note ? <span className={styles.note}>{note}</span> : null}
      </dd>
    </div>
  );
}

/** One client's numbers, live. */
export function TransportColumn({ client }: { client: ClientView }) {
  const { transport, counters, latency, bytes, server } = client;
  const phase = phaseLabel(transport, client.phase);
  const id = `transport-${transport}`;
  const stream = transport === 'sse' || transport === 'websocket';
  return (
    <section
      className={`card ${styles.column}`}
      aria-labelledby={`${id}-title`}
      data-testid={id}
      data-phase={client.phase.name}
    >
      <div className={styles.columnHeader}>
        <h2 id={`${id}-title`} className="card-title">
          {TRANSPORT_NAMES[transport]}
        </h2>
        <span className={styles.phase} data-tone={phase.tone} data-testid="transport-phase">
          {phase.text}
        </span>
      </div>
      <p className="hint">{HOW[transport]}</p>
      <dl className={styles.stats}>
        <Stat
          label="Events received"
          value={String(counters.events)}
          raw={counters.events}
          testId="transport-events"
        />
        <Stat
          label="Last seq"
          value={counters.lastSeq === null ? '—' : String(counters.lastSeq)}
          raw={counters.lastSeq}
          testId="transport-last-seq"
        />
        <Stat
          label="Missing seq"
          value={String(counters.missing)}
          raw={counters.missing}
          testId="transport-missing"
        />
        <Stat
          label="Duplicated seq"
          value={String(counters.duplicates)}
          raw={counters.duplicates}
          testId="transport-duplicates"
        />
        {counters.missed > 0 ? (
          <Stat
            label="Skipped (cursor refused)"
            value={String(counters.missed)}
            raw={counters.missed}
            testId="transport-skipped"
          />
        ) : null}
        <Stat
          label="Latency p50"
          value={ms(latency.p50)}
          raw={latency.p50}
          testId="transport-p50"
        />
        <Stat
          label="Latency p99"
          value={ms(latency.p99)}
          raw={latency.p99}
          testId="transport-p99"
        />
      </dl>
      <LatencySparkline values={latency.recent} />
      <dl className={styles.stats}>
        <Stat
          label={stream ? 'Connections opened' : 'HTTP requests'}
          value={String(counters.requests)}
          raw={counters.requests}
          testId="transport-requests"
        />
        <Stat
          label="Empty responses"
          value={stream ? '—' : String(counters.emptyResponses)}
          raw={stream ? null : counters.emptyResponses}
          testId="transport-empty"
        />
        <Stat
          label="Bytes per event"
          value={bytes.perEvent === null ? '—' : String(Math.round(bytes.perEvent))}
          raw={bytes.perEvent}
          testId="transport-bytes-per-event"
          note={
            bytes.source === 'resource-timing'
              ? `browser, Resource Timing: ${bytes.total} B received${bytes.hidden > 0 ? `, ${bytes.hidden} responses hidden` : ''}`
              : `server counters: ${bytes.total} B sent for ${bytes.events} events`
          }
        />
        <Stat
          label="Open connections"
          value={String(client.openConnections)}
          raw={client.openConnections}
          testId="transport-open"
          note={`server: ${server.open}`}
        />
      </dl>
    </section>
  );
}
