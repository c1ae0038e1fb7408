import { readyStateName } from '@/lib/ready-state';
import styles from './echo.module.css';

export function ReadyStateIndicator({ value }: { value: number }) {
  const name = readyStateName(value);
  return (
    <div
      className={styles.readyState}
      data-testid="echo-ready-state"
      data-ready-state={name}
      role="status"
      aria-live="polite"
    >
      <span className={styles.readyDot} aria-hidden="true" />
      <span className={styles.readyName}>{name}</span>
      <span className={styles.readyValue}>readyState {value}</span>
    </div>
  );
}
