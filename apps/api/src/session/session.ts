import type { User } from '@duplex/protocol';
import type { Connection } from '../ws/connection.js';

/**
 * One connection's session (a tab, a device) of a user; a user may hold several. Outlives its
 * connection for the resume grace period.
 */
export interface Session {
  readonly id: string;
  /** The user, with the name of its latest `hello` without `resume`. */
  user: User;
  token: string;
  connection: Connection | null;
  /** Rooms this session is a member of; kept through the grace period. */
  readonly rooms: Set<string>;
  graceTimer: NodeJS.Timeout | null;
}
