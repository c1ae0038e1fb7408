import { ANSWERED_ELSEWHERE_TEXT } from '@/lib/call-text';
import styles from './call.module.css';

/**
 * Shown for the moment the ended call stays on screen, where the ringing prompt was: another
 * tab (or device) of this user answered or declined the call first.
 */
export function AnsweredElsewhereNote() {
  return (
    <p className={styles.notice} role="status" data-testid="call-answered-elsewhere">
      {ANSWERED_ELSEWHERE_TEXT}
    </p>
  );
}
