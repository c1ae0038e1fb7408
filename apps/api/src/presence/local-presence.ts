import type { PresenceChange } from '../broker/broker.js';
import type { MembersPage, User } from '@duplex/protocol';
import type { PresenceListener, PresenceStore } from './presence-store.js';
import { RecencyList } from './recency-list.js';

/**
 * Presence of the only instance, in memory; changes reach the listeners at once. Users are kept
 * in order of activity, so a join ack's most recently active members are read without the rest.
 */
export class LocalPresence implements PresenceStore {
  private readonly rooms = new Map<string, RecencyList<User>>();
  private readonly listeners: PresenceListener[] = [];

  hold(room: string, user: User): Promise<void> {
    let users = this.rooms.get(room);
    if (!users) {
      users = new RecencyList();
      this.rooms.set(room, users);
    }
    const previousName = users.get(user.userId)?.name;
    const joined = users.set(user.userId, user);
    if (joined) this.changed(room, { kind: 'joined', user, online: users.size });
    else if (previousName !== user.name) {
      this.changed(room, { kind: 'renamed', user, online: users.size });
    }
    return Promise.resolve();
  }

  release(room: string, user: User): Promise<void> {
    const users = this.rooms.get(room);
    if (!users?.delete(user.userId)) return Promise.resolve();
    if (users.size === 0) this.rooms.delete(room);
    this.changed(room, { kind: 'left', user, online: users.size });
    return Promise.resolve();
  }

  onChange(listener: PresenceListener): void {
    this.listeners.push(listener);
  }

  touch(room: string, userId: string): void {
    this.rooms.get(room)?.touch(userId);
  }

  online(room: string): Promise<number> {
    return Promise.resolve(this.rooms.get(room)?.size ?? 0);
  }

  recentUsers(room: string, first: User, limit: number): Promise<User[]> {
    const result = [first];
    const users = this.rooms.get(room)?.newestFirst() ?? [];
    for (const user of users) {
      if (result.length >= limit) break;
      if (user.userId === first.userId) continue;
      result.push(user);
      if (result.length >= limit) break;
    }
    return Promise.resolve(result);
  }

  membersPage(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    const users = this.rooms.get(room);
    const members = [...(users?.values() ?? [])]
      .filter((user) => after === undefined || user.userId > after)
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      .slice(0, limit);
    return Promise.resolve({ online: users?.size ?? 0, members });
  }

  occupancy(): Promise<Map<string, number>> {
    return Promise.resolve(new Map([...this.rooms].map(([room, users]) => [room, users.size])));
  }

  reap(): Promise<void> {
    return Promise.resolve();
  }

  private changed(room: string, change: PresenceChange): void {
    for (const listener of this.listeners) listener(room, change);
  }
}
