import type { CallStats } from '@duplex/client';
import {
  QUALITY_LABEL,
  formatCodec,
  formatKbps,
  formatRoute,
  summarizeStats,
} from '@/lib/call-text';
import styles from './call.module.css';

const BARS: Record<CallStats['quality'], number> = { good: 3, fair: 2, poor: 1, unknown: 0 };

/**
 * Signal bars from the call's stats (good: rtt < 150 ms and loss < 2 %; fair: < 400 ms and
 * < 8 %; else poor), and the numbers behind them on click: round trip, bitrates, loss, codecs
 * and the ICE route (host, srflx, relay = through TURN).
 */
export function CallQuality({ stats }: { stats: CallStats | null }) {
  const quality = stats?.quality ?? 'unknown';
  const lit = BARS[quality];
  return (
    <details
      className={styles.quality}
      data-testid="call-quality"
      data-quality={quality}
      title={summarizeStats(stats)}
    >
      <summary className={styles.qualitySummary} aria-label={summarizeStats(stats)}>
        <span className={styles.bars} aria-hidden="true">
          {[1, 2, 3].map((bar) => (
            <span key={bar} data-on={bar <= lit ? 'true' : undefined} />
          ))}
        </span>
        <span className={styles.qualityLabel}>{QUALITY_LABEL[quality]}</span>
      </summary>
      <dl className={styles.qualityDetails} data-testid="call-quality-details">
        <dt>Round trip</dt>
        <dd data-testid="call-stat-rtt">{stats?.rttMs != null ? `${stats.rttMs} ms` : '—'}</dd>
        <dt>Sending</dt>
        <dd>{formatKbps(stats?.outboundKbps ?? null)}</dd>
        <dt>Receiving</dt>
        <dd>{formatKbps(stats?.inboundKbps ?? null)}</dd>
        <dt>Packet loss</dt>
        <dd>{stats?.packetLossPct != null ? `${stats.packetLossPct} %` : '—'}</dd>
        <dt>Codecs</dt>
        <dd>
          {formatCodec(stats?.audioCodec ?? null)}
          {stats?.videoCodec ? ` · ${formatCodec(stats.videoCodec)}` : ''}
        </dd>
        <dt>Route</dt>
        <dd data-testid="call-stat-route">{stats ? formatRoute(stats) : '—'}</dd>
      </dl>
    </details>
  );
}
