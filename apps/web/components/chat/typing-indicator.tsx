import type { User } from '@duplex/protocol';
import { describeTyping } from '@/lib/chat-text';
import styles from './chat.module.css';

/** A line that is always there (so the layout does not jump) and says who is typing. */
export function TypingIndicator({ users }: { users: readonly User[] }) {
  const text = describeTyping(users);
  return (
    <div className={styles.typingLine} aria-live="polite">
      {text ? (
        <span className={styles.typing} data-testid="typing-indicator">
          <span className={styles.typingDots} aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </span>
      ) : null}
    </div>
  );
}
