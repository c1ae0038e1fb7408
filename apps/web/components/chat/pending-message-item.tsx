import { memo } from 'react';
import type { RoomSnapshot } from '@duplex/client';
import { describeSendError } from '@/lib/chat-text';
import { Avatar } from './avatar';
import styles from './chat.module.css';

type PendingMessage = RoomSnapshot['pending'][number];

const STATUS_LABEL: Record<PendingMessage['status'], string> = {
  queued: 'queued',
  sending: 'sending…',
  failed: 'not sent',
};

/**
 * One of your messages the server has not acknowledged yet: `queued` (waiting for the
 * connection), `sending` (on the wire) or `failed` (refused: retry or dismiss).
 */
export const PendingMessageItem = memo(function PendingMessageItem({
  pending,
  name,
  userId,
  onRetry,
  onDiscard,
}: {
  pending: PendingMessage;
  name: string;
  /** Yours, once known (for the avatar's colour). */
  userId: string | null;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  const failed = pending.status === 'failed';
  return (
    <li
      className={styles.message}
      data-own="true"
      data-pending={pending.status}
      data-testid="message-pending"
      data-client-id={pending.clientId}
      data-status={pending.status}
    >
      <Avatar userId={userId} name={name} />
      <div className={styles.messageMeta}>
        <span className={styles.sender}>{name}</span>
        <span className={styles.youTag}>you</span>
        <span className={styles.pendingLabel}>{STATUS_LABEL[pending.status]}</span>
      </div>
      <p className={styles.text} data-testid="pending-text">
        {pending.text}
      </p>
      {failed ? (
        <div className={styles.failure} role="alert">
          <span>
            {describeSendError(pending.error)}{' '}
            {pending.error ? <code className={styles.code}>{pending.error}</code> : null}
          </span>
          <span className={styles.failureActions}>
            <button
              type="button"
              className="button button-small"
              data-testid="message-retry"
              onClick={() => onRetry(pending.clientId)}
            >
              Retry
            </button>
            <button
              type="button"
              className="button button-small button-quiet"
              data-testid="message-dismiss"
              onClick={() => onDiscard(pending.clientId)}
            >
              Dismiss
            </button>
          </span>
        </div>
      ) : null}
    </li>
  );
});
