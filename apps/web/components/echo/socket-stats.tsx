import type { FrameCounts } from '@/hooks/use-echo-socket';
import styles from './echo.module.css';

export function SocketStats({
  bufferedAmount,
  counts,
}: {
  bufferedAmount: number;
  counts: FrameCounts;
}) {
  return (
    <dl className={styles.stats}>
      <div className={styles.stat}>
        <dt>bufferedAmount</dt>
        <dd>
          <span className="mono" data-testid="echo-buffered-amount">
            {bufferedAmount}
          </span>{' '}
          <span className={styles.unit}>bytes</span>
        </dd>
      </div>
      <div className={styles.stat}>
        <dt>Frames sent</dt>
        <dd className="mono" data-testid="echo-frames-sent">
          {counts.sent}
        </dd>
      </div>
      <div className={styles.stat}>
        <dt>Frames received</dt>
        <dd className="mono" data-testid="echo-frames-received">
          {counts.received}
        </dd>
      </div>
    </dl>
  );
}
