'use client';

import type { User } from '@duplex/protocol';
import { useMemo } from 'react';
import { MemberCallButtons } from '@/components/call/member-call-buttons';
import { useLoadOnReach } from '@/hooks/use-load-on-reach';
import { initialOf } from '@/lib/call-text';
import styles from './chat.module.css';

const countFormat = new Intl.NumberFormat('en');

/**
 * Who is in the room (those reconnecting within their grace period too): the server's count,
 * and the members held, you first. A big room lists the first ones; more are loaded when the
 * end of the list scrolls into view, or with "Show more members". Two members with the same
 * name get a short tag from their userId. Each member has "Call" and "Video" buttons.
 */
export function MemberList({
  room,
  members,
  online,
  hasMore,
  ownUserId,
  tags,
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
    <section className={`card ${styles.members}`} aria-labelledby="members-title">
      <h2 id="members-title" className={styles.membersTitle}>
        In the room{' '}
        <span className={styles.membersCount} data-testid="members-online">
          {countFormat.format(count)}
        </span>
      </h2>
      <ul className={styles.memberList} data-testid="member-list" aria-labelledby="members-title">
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
      <span className={styles.avatar} aria-hidden="true">
        {initialOf(member.name)}
      </span>
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
