'use client';

import { useApiConfig } from '@/components/config-provider';
import { useDisplayName } from '@/hooks/use-display-name';
import { useRoomsList } from '@/hooks/use-rooms-list';
import { DisplayNameForm } from './display-name-form';
import { JoinRoomForm } from './join-room-form';
import { RoomList } from './room-list';
import styles from './lobby.module.css';

export function Lobby() {
  const { apiUrl } = useApiConfig();
  const { name, setName } = useDisplayName();
  const rooms = useRoomsList(apiUrl);

  return (
    <div className={styles.lobby}>
      <div className={styles.column}>
        <section className="card" aria-labelledby="you-title">
          <h2 id="you-title" className={`card-title ${styles.cardTitle}`}>
            You
          </h2>
          {/* Remounted once the remembered name is known, so the field starts from it. */}
          <DisplayNameForm
            key={name === null ? 'loading' : 'ready'}
            current={name}
            onSave={setName}
          />
        </section>
        <section className="card" aria-labelledby="join-title">
          <h2 id="join-title" className={`card-title ${styles.cardTitle}`}>
            Create or join a room
          </h2>
          <JoinRoomForm />
        </section>
      </div>
      <RoomList list={rooms} />
    </div>
  );
}
