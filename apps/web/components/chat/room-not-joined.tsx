import type { ConnectionStatus } from '@/hooks/use-connection-status';
import { RetryNowButton } from './connection-banner';

/**
 * The top of the message list before the room is joined: "Joining…" while that is under way,
 * else what it waits for, why, and "Retry now" when an attempt can be made at once.
 */
export function RoomNotJoined({ room, status }: { room: string; status: ConnectionStatus }) {
  switch (status.kind) {
    case 'ready':
    case 'connecting':
      return <span data-testid="room-joining">Joining…</span>;
    case 'offline':
      return (
        <span data-testid="room-waiting" data-connection={status.kind}>
          You’re offline. #{room} opens when the network is back.
        </span>
      );
    case 'closed':
      return (
        <span data-testid="room-waiting" data-connection={status.kind}>
          Disconnected: reload the page to open #{room}.
        </span>
      );
    case 'never-connected':
    case 'reconnecting':
      return (
        <span data-testid="room-waiting" data-connection={status.kind}>
          Waiting for the server to open #{room}.{status.reason ? ` ${status.reason}` : ''}{' '}
          {status.canRetry ? <RetryNowButton onRetry={status.retryNow} /> : 'Trying again now…'}
        </span>
      );
  }
}
