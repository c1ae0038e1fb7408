import type { PresenceChange } from '../broker/broker.js';
import type { MembersPage, User } from '@duplex/protocol';
import type { PresenceListener, PresenceStore } from './presence-store.js';

/**
 * Presence of the only instance, in memory; changes reach the listeners at once. Users are kept
 * in order of activity, latest last.
 */
export class LocalPresence implements PresenceStore {
  private readonly rooms = new Map<string, Map<string, User>>();
  private readonly listeners: PresenceListener[] = [];

  hold(room: string, user: User): Promise<void> {
    let users = this.rooms.get(room);
    if (!users) {
      users = new Map();
      this.rooms.set(room, users);
    }
    const joined = !users.has(user.userId);
    users.delete(user.userId);
    users.set(user.userId, user);
    if (joined) this.changed(room, { kind: 'joined', user, online: users.size });
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
    const users = this.rooms.get(room);
    const user = users?.get(userId);
    if (!users || !user) return;
    users.delete(userId);
    users.set(userId, user);
  }

  online(room: string): Promise<number> {
    return Promise.resolve(this.rooms.get(room)?.size ?? 0);
  }

  recentUsers(room: string, first: User, limit: number): Promise<User[]> {
    const result = [first];
    const users = [...(this.rooms.get(room)?.values() ?? [])];
    for (let i = users.length - 1; i >= 0 && result.length < limit; i--) {
      if (users[i]!.userId !== first.userId) result.push(users[i]!);
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
