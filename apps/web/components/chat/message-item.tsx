import { memo } from 'react';
import type { TextMessage } from '@duplex/protocol';
import { Avatar } from './avatar';
import styles from './chat.module.css';
import { MessageText } from './message-text';
import { MessageTime } from './message-time';

/**
 * One stored text message, with its sender's avatar (not repeated in a group). Its web
 * addresses are links; the rest is React text: markup in it is shown, never run.
 */
export const MessageItem = memo(function MessageItem({
  message,
  own,
  tag,
  continued,
}: {
  message: TextMessage;
  own: boolean;
  /** Tells the sender apart from someone of the same name (see `namesakeTags`); usually null. */
  tag: string | null;
  /** Follows a message from the same sender a moment earlier: the name and time are not repeated. */
  continued: boolean;
}) {
  return (
    <li
      className={styles.message}
      data-own={own ? 'true' : undefined}
      data-continued={continued ? 'true' : undefined}
      data-testid="message"
      data-seq={message.seq}
      data-client-id={message.clientId}
      data-from={message.from.userId}
    >
      {continued ? null : <Avatar userId={message.from.userId} name={message.from.name} />}
      {/* Kept for screen readers (and tests) when continued, only hidden from sight. */}
      <div className={continued ? 'visually-hidden' : styles.messageMeta}>
        <span className={styles.sender} data-testid="message-sender">
          {message.from.name}
        </span>
        {tag ? (
          <span
            className={styles.memberTag}
            data-testid="message-sender-tag"
            title={message.from.userId}
          >
            {tag}
          </span>
        ) : null}
        {own ? <span className={styles.youTag}>you</span> : null}
        <MessageTime ts={message.ts} />
      </div>
      <p className={styles.text} data-testid="message-text">
        <MessageText text={message.text} />
      </p>
    </li>
  );
});
