import Link from 'next/link';
import type { RoomSummary } from '@/hooks/use-rooms-list';
import styles from './lobby.module.css';

function plural(count: number, one: string, many: string) {
  return `${count} ${count === 1 ? one : many}`;
}

export function RoomListItem({ summary }: { summary: RoomSummary }) {
  const { room, online, lastSeq } = summary;
  return (
    <li data-testid="room-list-item" data-room={room} data-online={online}>
      <Link href={`/rooms/${room}`} className={styles.roomLink}>
        <span className={styles.roomName}>
          <span className={styles.hash} aria-hidden="true">
            #
          </span>
          {room}
        </span>
        <span className={styles.roomStats}>
          <span className={styles.online} data-live={online > 0 ? 'true' : undefined}>
            <span className={styles.onlineDot} aria-hidden="true" />
            {online} online
          </span>
          <span className={styles.count}>{plural(lastSeq, 'message', 'messages')}</span>
        </span>
      </Link>
    </li>
  );
}
