'use client';

import { useState } from 'react';
import type { DuplexClient } from '@duplex/client';
import { useConnectionState, useDuplexClient } from '@/hooks/use-duplex-client';
import styles from './chat.module.css';

const RECONNECTING_STATES = new Set(['reconnecting', 'connecting', 'authenticating']);

/**
 * Says so while a connection that was ready is being re-established, and goes away by itself
 * once it is ready again. A client that has never been ready shows the header badge only.
 */
export function ReconnectingBanner() {
  const client = useDuplexClient();
  const state = useConnectionState();
  // Which client has been ready at least once; updated while rendering (derived state).
  const [readyOnce, setReadyOnce] = useState<DuplexClient | null>(null);
  if (client && state === 'ready' && readyOnce !== client) setReadyOnce(client);
  const wasReady = client !== null && readyOnce === client;

  if (state === 'closed' && client) {
    return (
      <div className={styles.banner} data-tone="danger" role="alert">
        <span>Disconnected. The connection closed and will not retry on its own.</span>
        <button
          type="button"
          className="button button-small"
          onClick={() => window.location.reload()}
        >
          Reload
        </button>
      </div>
    );
  }
  if (!wasReady || !RECONNECTING_STATES.has(state)) return null;
  return (
    <div className={styles.banner} data-testid="reconnecting-banner" role="status">
      <span className={styles.bannerDot} aria-hidden="true" />
      <span>
        <strong>Reconnecting…</strong> Messages you send now are queued and go out, once each, when
        the connection is back.
      </span>
    </div>
  );
}
