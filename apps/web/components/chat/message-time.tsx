import { formatHourMinute } from '@/lib/format-time';
import styles from './chat.module.css';

/** When a stored message was sent: hours and minutes, the full local date and time on hover. */
export function MessageTime({ ts }: { ts: string }) {
  return (
    <time className={styles.time} dateTime={ts} title={new Date(ts).toLocaleString()}>
      {formatHourMinute(ts)}
    </time>
  );
}
