import { memo } from 'react';
import type { CallMessage } from '@duplex/protocol';
import { PhoneIcon, VideoIcon } from '@/components/call/call-icons';
import { describeCallRecord } from '@/lib/call-text';
import styles from './chat.module.css';
import { MessageTime } from './message-time';

/**
 * A call's outcome in the room's history, as a compact system row: "Video call · 3:24",
 * "You missed a call from Ann", "Call declined", "Call failed — media could not connect", who
 * called whom, and when it ended.
 */
export const CallRecordItem = memo(function CallRecordItem({
  message,
  ownUserId,
}: {
  message: CallMessage;
  ownUserId: string | null;
}) {
  const { call } = message;
  const text = describeCallRecord(call, ownUserId);
  return (
    <li
      className={styles.callRecord}
      data-testid="call-record"
      data-seq={message.seq}
      data-call-id={call.callId}
      data-outcome={call.outcome}
      data-video={call.video ? 'true' : 'false'}
    >
      <span className={styles.callRecordIcon} aria-hidden="true">
        {call.video ? <VideoIcon /> : <PhoneIcon />}
      </span>
      <span className={styles.callRecordBody}>
        <span className={styles.callRecordHeadline} data-testid="call-record-headline">
          {text.headline}
          {text.length ? (
            <>
              {' · '}
              <time dateTime={text.length.iso} data-testid="call-record-length">
                {text.length.text}
              </time>
            </>
          ) : null}
        </span>
        <span className={styles.callRecordDetail} data-testid="call-record-detail">
          {text.detail}
        </span>
      </span>
      <MessageTime ts={message.ts} />
    </li>
  );
});
