'use client';

import type { RoomsList } from '@/hooks/use-rooms-list';
import { ROOMS_REFRESH_MS } from '@/hooks/use-rooms-list';
import { RoomListItem } from './room-list-item';
import styles from './lobby.module.css';

export function RoomList({ list }: { list: RoomsList }) {
  const { rooms, error } = list;
  return (
    <section className={`card ${styles.roomsCard}`} aria-labelledby="rooms-title">
      <header className={styles.cardHeader}>
        <h2 id="rooms-title" className="card-title">
          Rooms
        </h2>
        <span className="hint">
          {rooms === null && !error ? 'Loading…' : `Refreshed every ${ROOMS_REFRESH_MS / 1000} s`}
        </span>
      </header>
      {error ? (
        <p className={styles.error} role="alert">
          Could not load the room list: {error}.{' '}
          {rooms ? 'Showing the last one received.' : 'Retrying every few seconds.'}
        </p>
      ) : null}
      {rooms !== null && rooms.length === 0 ? (
        <p className={styles.empty} data-testid="room-list-empty">
          No rooms yet. Give one a name and be the first one in.
        </p>
      ) : null}
      <ul className={styles.roomList} data-testid="room-list" aria-label="Rooms">
        {rooms?.map((summary) => (
          <RoomListItem key={summary.room} summary={summary} />
        ))}
      </ul>
    </section>
  );
}
