import type { User } from '@duplex/protocol';
import type { Connection } from '../ws/connection.js';

/** A user's identity on this server; outlives its connection for the resume grace period. */
export interface Session {
  readonly user: User;
  token: string;
  connection: Connection | null;
  graceTimer: NodeJS.Timeout | null;
}
