import type { MembersPage, User } from '@duplex/protocol';
import type { PresenceChange } from '../broker/broker.js';

export type PresenceListener = (room: string, change: PresenceChange) => void;

/**
 * Who is in which room, counted in users across every instance. An instance holds a user in a
 * room while at least one of the user's sessions there is on it; the user is a member while any
 * instance holds it. Changes are applied in the order they are made, and every instance that
 * follows the room learns of each user who joined or left in that one order.
 */
export interface PresenceStore {
  /**
   * This instance holds the user in the room now (again: its latest name and activity). A member
   * whose name differs from the one held is announced as renamed.
   */
  hold(room: string, user: User): Promise<void>;
  /** This instance no longer holds the user in the room. */
  release(room: string, user: User): Promise<void>;
  /** The user was active in the room (joined or sent): first in the next join acks. */
  touch(room: string, userId: string): void;
  online(room: string): Promise<number>;
  /** `first`, then the most recently active members, `limit` users at most. */
  recentUsers(room: string, first: User, limit: number): Promise<User[]>;
  /** Members with `userId > after`, ordered by `userId`, and the room's count. */
  membersPage(room: string, after: string | undefined, limit: number): Promise<MembersPage>;
  /** The count of every room with a member. */
  occupancy(): Promise<Map<string, number>>;
  /** Releases everything a dead instance held. */
  reap(instanceId: string): Promise<void>;
  /** A user joined or left a room that this instance follows. */
  onChange(listener: PresenceListener): void;
}

export const PRESENCE_STORE = Symbol('PRESENCE_STORE');
