import { memo } from 'react';
import type { EchoDirection, EchoLogEntry } from '@/hooks/use-echo-socket';
import { formatClockTime } from '@/lib/format-time';
import styles from './echo.module.css';

const DIRECTION_SYMBOL: Record<EchoDirection, string> = { out: '→', in: '←', event: '•' };
const DIRECTION_LABEL: Record<EchoDirection, string> = {
  out: 'sent',
  in: 'received',
  event: 'event',
};

function RowContent({ entry }: { entry: EchoLogEntry }) {
  if (entry.kind === 'text') {
    // Rendered as a text node, so markup in a frame is shown, never interpreted.
    return (
      <span className={styles.logText} data-testid="echo-log-text">
        {entry.text === '' ? <em className={styles.muted}>(empty)</em> : entry.text}
      </span>
    );
  }
  if (entry.kind === 'binary') {
    return (
      <span className={`${styles.logHex} mono`}>
        {entry.hexPreview || <em className={styles.muted}>(no bytes)</em>}
      </span>
    );
  }
  return <span className={styles.logDetail}>{entry.detail}</span>;
}

export const EchoLogRow = memo(function EchoLogRow({ entry }: { entry: EchoLogEntry }) {
  return (
    <li
      className={styles.logRow}
      data-testid="echo-log-row"
      data-direction={entry.direction}
      data-kind={entry.kind}
      data-size={entry.size}
      data-hex={entry.kind === 'binary' ? entry.hex : undefined}
      data-close-code={entry.closeCode}
    >
      <time className={`${styles.logTime} mono`} dateTime={new Date(entry.at).toISOString()}>
        {formatClockTime(entry.at)}
      </time>
      <span
        className={styles.logDirection}
        title={DIRECTION_LABEL[entry.direction]}
        aria-label={DIRECTION_LABEL[entry.direction]}
      >
        {DIRECTION_SYMBOL[entry.direction]}
      </span>
      <span className={styles.logKind}>{entry.kind}</span>
      <span className={`${styles.logSize} mono`}>{entry.size} B</span>
      <RowContent entry={entry} />
    </li>
  );
});
