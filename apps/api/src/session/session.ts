import type { User } from '@duplex/protocol';
import type { Connection } from '../ws/connection.js';

/** A user's identity on this server; outlives its connection for the resume grace period. */
export interface Session {
  readonly user: User;
  token: string;
  connection: Connection | null;
  /** Rooms this user is a member of; kept through the grace period. */
  readonly rooms: Set<string>;
  graceTimer: NodeJS.Timeout | null;
}
