'use client';

import type { User } from '@duplex/protocol';
import { useMemo } from 'react';
import { MemberCallButtons } from '@/components/call/member-call-buttons';
import { useLoadOnReach } from '@/hooks/use-load-on-reach';
import { Avatar } from './avatar';
import styles from './chat.module.css';

const countFormat = new Intl.NumberFormat('en');

/**
 * Who is in the room (those reconnecting within their grace period too): the server's count,
 * and the members held, you first. A big room lists the first ones; more are loaded when the
 * end of the list scrolls into view, or with "Show more members". Two members with the same
 * name get a short tag from their userId, and each an avatar colour of their own. Each member
 * has "Call" and "Video" buttons. While the connection is not ready the list is the last known:
 * greyed, and it says so.
 */
export function MemberList({
  room,
  members,
  online,
  hasMore,
  ownUserId,
  tags,
  stale,
  className = '',
  onLoadMore,
}: {
  room: string;
  members: readonly User[];
  /** The server's count of members; null until joined. */
  online: number | null;
  hasMore: boolean;
  ownUserId: string | null;
  /** Short tags of namesakes, by userId (see `namesakeTags`). */
  tags: ReadonlyMap<string, string>;
  /** The members and count are the last known, not live. */
  stale: boolean;
  className?: string;
  onLoadMore: () => Promise<unknown>;
}) {
  const ordered = useMemo(
    () =>
      [...members].sort((a, b) => Number(b.userId === ownUserId) - Number(a.userId === ownUserId)),
    [members, ownUserId],
  );
  const more = useLoadOnReach<HTMLLIElement>(hasMore, onLoadMore);
  const count = online ?? members.length;

  return (
    <section
      className={`${styles.members} ${className}`}
      aria-labelledby="members-title"
      data-stale={stale ? 'true' : undefined}
    >
      <h2 id="members-title" className={styles.membersTitle}>
        In the room{' '}
        {online === null ? null : (
          <span
            className={styles.membersCount}
            data-testid="members-online"
            data-stale={stale ? 'true' : undefined}
          >
            {countFormat.format(online)}
            {stale ? <span className="visually-hidden"> (last known)</span> : null}
          </span>
        )}
      </h2>
      {stale ? (
        <p className={styles.staleNote} data-testid="members-stale">
          Last known: updates when the connection is back.
        </p>
      ) : online === null ? (
        <p className={styles.staleNote}>Shown once the room is joined.</p>
      ) : null}
      <ul
        className={styles.memberList}
        data-testid="member-list"
        data-stale={stale ? 'true' : undefined}
        aria-labelledby="members-title"
      >
        {ordered.map((member) => (
          <MemberRow
            key={member.userId}
            member={member}
            tag={tags.get(member.userId) ?? null}
            you={member.userId === ownUserId}
            room={room}
          />
        ))}
        {hasMore ? (
          <li ref={more.sentinelRef} className={styles.membersMore} data-testid="members-more">
            <span data-testid="members-shown" aria-live="polite">
              {more.error
                ? `Could not load more members: ${more.error}`
                : more.loading
                  ? 'Loading more members…'
                  : `Showing ${countFormat.format(members.length)} of ${countFormat.format(count)}`}
            </span>
            <button
              type="button"
              className="button button-small"
              data-testid="members-show-more"
              disabled={more.loading}
              onClick={more.load}
            >
              {more.error ? 'Try again' : 'Show more members'}
            </button>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

function MemberRow({
  member,
  tag,
  you,
  room,
}: {
  member: User;
  tag: string | null;
  you: boolean;
  room: string;
}) {
  return (
    <li
      className={styles.member}
      data-testid="member"
      data-user-id={member.userId}
      data-name={member.name}
      data-you={you ? 'true' : undefined}
    >
      <Avatar userId={member.userId} name={member.name} />
      <span className={styles.memberName}>
        <span className={styles.memberNameText} data-testid="member-name">
          {member.name}
        </span>
        {tag ? (
          <span className={styles.memberTag} data-testid="member-tag" title={member.userId}>
            <span className="visually-hidden"> · </span>
            {tag}
          </span>
        ) : null}
      </span>
      {you ? <span className={styles.youTag}>you</span> : null}
      <MemberCallButtons member={member} room={room} you={you} />
    </li>
  );
}
