import type { CallProblem } from '@/lib/call-text';
import { CloseIcon } from './call-icons';
import styles from './call.module.css';

/** Why a call could not start (or be answered, or turn its camera on), until dismissed. */
export function CallErrorAlert({
  problem,
  onDismiss,
}: {
  problem: CallProblem;
  onDismiss: () => void;
}) {
  return (
    <div
      className={styles.alert}
      role="alert"
      data-testid="call-error"
      data-code={problem.code ?? ''}
    >
      <div className={styles.alertBody}>
        <p className={styles.alertTitle}>{problem.title}</p>
        {problem.detail ? <p className={styles.alertDetail}>{problem.detail}</p> : null}
        {problem.code ? <code className={styles.alertCode}>{problem.code}</code> : null}
      </div>
      <button
        type="button"
        className={styles.iconButton}
        data-testid="call-error-dismiss"
        aria-label="Dismiss"
        title="Dismiss"
        onClick={onDismiss}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
