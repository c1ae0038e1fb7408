import Link from 'next/link';
import type { Ref } from 'react';
import styles from './chat.module.css';

const countFormat = new Intl.NumberFormat('en');

/**
 * The room's name, and how many are in it: live (green dot) once joined, greyed and "last
 * known" while the connection is not ready. In a narrow room (CSS container query) the count
 * is on the "Members" button, which opens the member list.
 */
export function RoomHeader({
  room,
  online,
  stale,
  notJoinedText,
  membersOpen,
  membersButtonRef,
  onOpenMembers,
}: {
  room: string;
  /** The server's count of members; null until the room was first joined. */
  online: number | null;
  /** The count is the last known, not live (the connection is not ready). */
  stale: boolean;
  /** What the summary says before the room was joined ("joining…"). */
  notJoinedText: string;
  membersOpen: boolean;
  membersButtonRef: Ref<HTMLButtonElement>;
  onOpenMembers: () => void;
}) {
  const live = online !== null && !stale;
  return (
    <header className={styles.header}>
      <div className={styles.headerTitle}>
        <Link href="/" className={styles.back} aria-label="Back to the lobby">
          ←
        </Link>
        {/* The # is drawn by CSS, so the title's text is the room name alone. */}
        <h1 className={styles.roomTitle} data-testid="room-title">
          {room}
        </h1>
      </div>
      <p
        className={styles.onlineSummary}
        data-testid="online-summary"
        data-stale={online !== null && stale ? 'true' : undefined}
        aria-live="polite"
      >
        <span
          className={styles.onlineDot}
          data-live={live ? 'true' : undefined}
          aria-hidden="true"
        />
        {online === null ? (
          notJoinedText
        ) : (
          <>
            <span data-testid="online-count" data-stale={stale ? 'true' : undefined}>
              {online}
            </span>{' '}
            online
            {stale ? <span className={styles.lastKnown}> · last known</span> : null}
          </>
        )}
      </p>
      <button
        ref={membersButtonRef}
        type="button"
        className={`button button-small ${styles.membersButton}`}
        data-testid="members-button"
        data-stale={online !== null && stale ? 'true' : undefined}
        aria-haspopup="dialog"
        aria-expanded={membersOpen}
        onClick={onOpenMembers}
      >
        <span
          className={styles.onlineDot}
          data-live={live ? 'true' : undefined}
          aria-hidden="true"
        />
        Members
        {online !== null ? (
          <span className={styles.membersButtonCount}>
            {countFormat.format(online)}
            <span className="visually-hidden">{stale ? ' online, last known' : ' online'}</span>
          </span>
        ) : null}
      </button>
    </header>
  );
}
