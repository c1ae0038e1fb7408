'use client';

import type { User } from '@duplex/protocol';
import { useCallActions, useCallManager, useInCall } from '@/hooks/use-call';
import { useConnectionState } from '@/hooks/use-duplex-client';
import { PhoneIcon, VideoIcon } from './call-icons';
import styles from './member-call-buttons.module.css';

/**
 * "Call" and "Video" for one member of the room (icons alone in the narrow desktop column, the
 * words still there for screen readers and tooltips). Disabled, with the reason in the tooltip, for
 * yourself, while a call is ringing or live, and while the connection is not ready.
 */
export function MemberCallButtons({
  member,
  room,
  you,
}: {
  member: User;
  room: string;
  you: boolean;
}) {
  const manager = useCallManager();
  const { placeCall } = useCallActions();
  const inCall = useInCall();
  const connection = useConnectionState();

  const reason = you
    ? 'You cannot call yourself'
    : connection !== 'ready' || !manager
      ? 'Not connected'
      : inCall
        ? 'You are already in a call'
        : null;
  const disabled = reason !== null;

  return (
    <span className={styles.actions}>
      <button
        type="button"
        className={styles.button}
        data-testid="call-audio"
        disabled={disabled}
        title={reason ?? `Audio call with ${member.name}`}
        onClick={() => placeCall(member, room, false)}
      >
        <PhoneIcon />
        <span className={styles.label}>Call</span>
      </button>
      <button
        type="button"
        className={styles.button}
        data-testid="call-video"
        disabled={disabled}
        title={reason ?? `Video call with ${member.name}`}
        onClick={() => placeCall(member, room, true)}
      >
        <VideoIcon />
        <span className={styles.label}>Video</span>
      </button>
    </span>
  );
}
