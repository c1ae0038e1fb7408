import Link from 'next/link';
import styles from './chat.module.css';

export function RoomHeader({ room, online }: { room: string; online: number | null }) {
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
      <p className={styles.onlineSummary} aria-live="polite">
        <span
          className={styles.onlineDot}
          data-live={online ? 'true' : undefined}
          aria-hidden="true"
        />
        {online === null ? (
          'joining…'
        ) : (
          <>
            <span data-testid="online-count">{online}</span> online
          </>
        )}
      </p>
    </header>
  );
}
