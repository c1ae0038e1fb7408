import type { ConnectionState, DisconnectInfo } from '@duplex/client';
import { describeCloseCode } from '@/lib/close-codes';

/**
 * What the connection is, as the user should be told:
 * - `connecting`: the first attempt is under way.
 * - `never-connected`: no `hello` was ever acknowledged and the last attempt failed.
 * - `ready`: connected.
 * - `reconnecting`: was connected, lost it, trying again.
 * - `offline`: the browser said the network went away (it reconnects once it is back).
 * - `closed`: stopped for good; only a reload connects again.
 */
export type ConnectionKind =
  'never-connected' | 'connecting' | 'ready' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionFacts {
  /** The client's state; `idle` when there is no client yet. */
  state: ConnectionState;
  /** The client has had a `hello` ack (its `session` is not null). */
  everConnected: boolean;
  /** The browser has a network, as its `online`/`offline` events last said. */
  networkOnline: boolean;
}

export function connectionKind({
  state,
  everConnected,
  networkOnline,
}: ConnectionFacts): ConnectionKind {
  if (state === 'closed') return 'closed';
  if (state === 'ready') return 'ready';
  if (!networkOnline) return 'offline';
  if (everConnected) return 'reconnecting';
  return state === 'reconnecting' ? 'never-connected' : 'connecting';
}

/** The badge's words for each kind. */
export const CONNECTION_LABELS: Record<ConnectionKind, string> = {
  connecting: 'Connecting…',
  'never-connected': 'Can’t reach the server',
  ready: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'You’re offline',
  closed: 'Disconnected',
};

/** Whether "Retry now" can do something: the client is waiting out a back-off. */
export function canRetryNow(kind: ConnectionKind, nextRetryAt: number | null): boolean {
  return (kind === 'never-connected' || kind === 'reconnecting') && nextRetryAt !== null;
}

/**
 * Why the connection was lost (or never made), in words, or null when nothing is known. A
 * browser tells nothing about a socket that failed (code 1006, no reason): a server that never
 * answered, or a connection cut off.
 */
export function describeDisconnect(
  info: DisconnectInfo | null,
  everConnected: boolean,
): string | null {
  if (!info) return null;
  const reason = info.reason.trim();
  if (reason) return sentence(reason);
  if (info.code === 1006) {
    return everConnected
      ? 'The connection was cut off.'
      : 'The server did not answer (it may be down or restarting).';
  }
  const meaning = describeCloseCode(info.code);
  return meaning ? `${meaning} (code ${info.code}).` : `Closed with code ${info.code}.`;
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** "Retrying in 4 s…" while a retry is scheduled, "Trying again now…" once it is due or under way. */
export function describeNextRetry(nextRetryAt: number | null, now: number): string {
  if (nextRetryAt === null || nextRetryAt <= now) return 'Trying again now…';
  const seconds = Math.ceil((nextRetryAt - now) / 1000);
  return `Retrying in ${seconds} s…`;
}
