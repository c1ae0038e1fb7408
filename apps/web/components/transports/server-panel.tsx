import type { RunView } from '@/lib/transports/transport-run';
import styles from './transports.module.css';

function clockText(view: RunView): string {
  if (!view.clock) return 'Not estimated yet: latencies use the browser’s clock as it is.';
  const offset = Math.round(view.clock.offsetMs);
  const error = Math.ceil(view.clock.roundTripMs / 2);
  const direction =
    offset === 0
      ? 'agrees with this browser'
      : offset > 0
        ? `is ${offset} ms ahead of this browser`
        : `is ${-offset} ms behind this browser`;
  return `The server’s clock ${direction} (± ${error} ms, from the stats request with the shortest round trip). Every latency on this page is corrected by this estimate.`;
}

/** What the server says: its clock, its CPU per event, and whether it can be read. */
export function ServerPanel({ view }: { view: RunView }) {
  const cpu = view.cpuMicrosPerEvent;
  return (
    <section className={`card ${styles.server}`} aria-labelledby="transports-server-title">
      <h2 id="transports-server-title" className="card-title">
        The server
      </h2>
      <dl className={styles.stats}>
        <div className={styles.stat}>
          <dt>CPU per delivered event</dt>
          <dd>
            <span
              className="mono"
              data-testid="transports-cpu-per-event"
              data-value={cpu ?? undefined}
            >
              {cpu === null ? '—' : `${cpu.toFixed(1)} µs`}
            </span>
            <span className={styles.note}>
              the whole api instance’s CPU time since Start, divided by the {view.serverEvents}{' '}
              events it delivered on all four transports
            </span>
          </dd>
        </div>
        <div className={styles.stat}>
          <dt>Clock offset</dt>
          <dd>
            <span className="mono" data-testid="transports-clock-offset">
              {view.clock ? `${Math.round(view.clock.offsetMs)} ms` : '—'}
            </span>
            <span className={styles.note}>{clockText(view)}</span>
          </dd>
        </div>
      </dl>
      {view.statsError ? (
        <p className="hint" data-testid="transports-stats-error">
          The server’s counters cannot be read right now ({view.statsError}); they resume when it
          answers.
        </p>
      ) : null}
    </section>
  );
}
