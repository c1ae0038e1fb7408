'use client';

import type { ConnectionState } from '@duplex/client';
import { useConnectionState, useSession } from '@/hooks/use-duplex-client';

const LABELS: Record<ConnectionState, string> = {
  // The provider connects as soon as the page runs, so `idle` is only the first instant.
  idle: 'Connecting…',
  connecting: 'Connecting…',
  authenticating: 'Connecting…',
  ready: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

export function ConnectionBadge() {
  const state = useConnectionState();
  const session = useSession();
  const ready = state === 'ready' && session !== null;

  return (
    <div
      className="connection-badge"
      data-testid="connection-badge"
      data-state={state}
      data-user-id={ready ? session.userId : ''}
      role="status"
      aria-live="polite"
      title={ready ? `Connected as ${session.name}` : LABELS[state]}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{LABELS[state]}</span>
      {ready ? <span className="connection-name">{session.name}</span> : null}
    </div>
  );
}
