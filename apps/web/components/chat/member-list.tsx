import type { User } from '@duplex/protocol';
import { MemberCallButtons } from '@/components/call/member-call-buttons';
import styles from './chat.module.css';

/**
 * Who is in the room (those reconnecting within their grace period too); you come first. Each
 * member has "Call" and "Video" buttons.
 */
export function MemberList({
  room,
  members,
  ownUserId,
}: {
  room: string;
  members: readonly User[];
  ownUserId: string | null;
}) {
  const ordered = [...members].sort(
    (a, b) => Number(b.userId === ownUserId) - Number(a.userId === ownUserId),
  );
  return (
    <section className={`card ${styles.members}`} aria-labelledby="members-title">
      <h2 id="members-title" className={styles.membersTitle}>
        In the room <span className={styles.membersCount}>{members.length}</span>
      </h2>
      <ul className={styles.memberList} data-testid="member-list">
        {ordered.map((member) => {
          const you = member.userId === ownUserId;
          return (
            <li
              key={member.userId}
              className={styles.member}
              data-testid="member"
              data-user-id={member.userId}
              data-name={member.name}
              data-you={you ? 'true' : undefined}
            >
              <span className={styles.avatar} aria-hidden="true">
                {initial(member.name)}
              </span>
              <span className={styles.memberName}>{member.name}</span>
              {you ? <span className={styles.youTag}>you</span> : null}
              <MemberCallButtons member={member} room={room} you={you} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function initial(name: string): string {
  const first = [...name.trim()][0] ?? '?';
  return first.toUpperCase();
}
