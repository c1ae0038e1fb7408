'use client';

import { useState, type FormEvent } from 'react';
import { ReadyState } from '@/lib/ready-state';
import styles from './echo.module.css';

export function EndpointForm({
  defaultUrl,
  readyState,
  onConnect,
  onDisconnect,
}: {
  /** The api's /ws/echo URL; null until the browser has resolved it. */
  defaultUrl: string | null;
  readyState: number;
  onConnect: (url: string) => void;
  onDisconnect: () => void;
}) {
  // null until the user types, so the field follows the resolved default until then.
  const [editedUrl, setEditedUrl] = useState<string | null>(null);
  const url = editedUrl ?? defaultUrl ?? '';
  const active = readyState === ReadyState.CONNECTING || readyState === ReadyState.OPEN;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!active && url.trim()) onConnect(url.trim());
  }

  return (
    <form className={styles.endpointForm} onSubmit={submit}>
      <label className="field-label" htmlFor="echo-url">
        Endpoint
      </label>
      <input
        id="echo-url"
        className="input mono"
        data-testid="echo-url"
        // type=text, not url: a malformed URL should reach `new WebSocket()` and show its error.
        type="text"
        inputMode="url"
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        placeholder="ws://host:3001/ws/echo"
        value={url}
        onChange={(event) => setEditedUrl(event.target.value)}
      />
      <div className={styles.buttonRow}>
        <button
          type="submit"
          className="button button-primary"
          data-testid="echo-connect"
          disabled={active || !url.trim()}
        >
          Connect
        </button>
        <button
          type="button"
          className="button"
          data-testid="echo-disconnect"
          disabled={!active}
          onClick={onDisconnect}
        >
          Disconnect
        </button>
        {editedUrl !== null && defaultUrl && editedUrl !== defaultUrl ? (
          <button type="button" className="button button-quiet" onClick={() => setEditedUrl(null)}>
            Reset URL
          </button>
        ) : null}
      </div>
    </form>
  );
}
