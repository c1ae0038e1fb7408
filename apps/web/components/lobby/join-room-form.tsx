'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { checkRoomName, normalizeRoomInput, suggestRoomName } from '@/lib/room-name';
import styles from './lobby.module.css';

/** Goes to `/rooms/<name>`: joining a room that has no messages yet creates it. */
export function JoinRoomForm() {
  const router = useRouter();
  const [value, setValue] = useState('');
  const [submitted, setSubmitted] = useState(false);

  const check = checkRoomName(value);
  const error = !check.ok && (submitted || value !== '') ? check.message : null;
  const suggestion = !check.ok && value.trim() !== '' ? suggestRoomName(value) : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (check.ok) router.push(`/rooms/${check.room}`);
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <label className="field-label" htmlFor="room-name">
        Room name
      </label>
      <div className={styles.inlineControls}>
        <div className={styles.prefixed}>
          <span className={styles.prefix} aria-hidden="true">
            #
          </span>
          <input
            id="room-name"
            className="input mono"
            data-testid="room-input"
            type="text"
            inputMode="url"
            autoCapitalize="none"
            autoComplete="off"
            autoCorrect="off"
            spellCheck={false}
            placeholder="lobby"
            value={value}
            aria-invalid={error ? true : undefined}
            aria-describedby="room-name-help"
            // Room names have no capitals: lower-case as the user types rather than refuse.
            onChange={(event) => setValue(normalizeRoomInput(event.target.value))}
          />
        </div>
        <button type="submit" className="button button-primary" data-testid="room-join">
          Join
        </button>
      </div>
      <p
        id="room-name-help"
        className={error ? styles.error : 'hint'}
        role={error ? 'alert' : undefined}
      >
        {error ?? 'Lowercase letters, digits and hyphens, up to 40. A new name creates the room.'}
      </p>
      {suggestion ? (
        <p className="hint">
          Try{' '}
          <button type="button" className={styles.linkButton} onClick={() => setValue(suggestion)}>
            #{suggestion}
          </button>
        </p>
      ) : null}
    </form>
  );
}
