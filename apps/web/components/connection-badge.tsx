'use client';

import { useSession } from '@/hooks/use-duplex-client';
import { useConnectionStatus } from '@/hooks/use-connection-status';

/**
 * The connection in the site header, in words: connecting, connected (as whom), reconnecting,
 * can't reach the server (never connected), offline, disconnected. `data-state` is the client's
 * own state; `data-connection` the kind shown.
 */
export function ConnectionBadge() {
  const status = useConnectionStatus();
  const session = useSession();
  const ready = status.kind === 'ready' && session !== null;
  const title = ready
    ? `Connected as ${session.name}`
    : [status.label, status.reason].filter(Boolean).join(' ');

  return (
    <div
      className="connection-badge"
      data-testid="connection-badge"
      data-state={status.state}
      data-connection={status.kind}
      data-user-id={ready ? session.userId : ''}
      role="status"
      aria-live="polite"
      title={title}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{status.label}</span>
      {ready ? <span className="connection-name">{session.name}</span> : null}
    </div>
  );
}
