import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PROTOCOL_BOUNDS, presenceCoalesceWindowMs, type User } from '@duplex/protocol';
import type { PresenceChange } from '../broker/broker.js';
import { PRESENCE_STORE, type PresenceStore } from '../presence/presence-store.js';
import { RoomFanout } from './room-fanout.js';

/**
 * A room's presence stream. `quiet`: no window open, so a change goes out at once. `cooling`: a
 * frame went out and its window (100 ms, longer in large rooms) is open; a change moves it to
 * `collecting`. `collecting`: changes are gathered until the window closes and sent as one
 * `presence.diff`, which opens the next window.
 */
type RoomPresence =
  | { state: 'quiet' }
  | { state: 'cooling'; timer: NodeJS.Timeout }
  | {
      state: 'collecting';
      timer: NodeJS.Timeout;
      joined: Map<string, User>;
      left: Map<string, User>;
      online: number;
    };

/**
 * Presence per room, coalesced for this instance's members: a burst of joins (everyone
 * re-joining after a restart) reaches each member as a few `presence.diff` frames instead of
 * one frame per join. A diff names at most `presenceDiffMaxUsers` users per kind and a large
 * room's window is longer, so the burst costs a bounded number of frames and names per second
 * rather than one per joiner and member. Every instance coalesces the same changes, in the
 * presence store's order.
 *
 * A rename is not a change of who is there: it opens no window and goes out at once as
 * `presence.renamed`, to the user's own sessions too, unless the diff being collected names
 * the user as joined, which then carries the new name instead.
 */
@Injectable()
export class PresenceCoalescer implements OnModuleDestroy {
  private readonly rooms = new Map<string, RoomPresence>();

  constructor(
    private readonly fanout: RoomFanout,
    @Inject(PRESENCE_STORE) presence: PresenceStore,
  ) {
    presence.onChange((room, change) => this.change(room, change));
  }

  onModuleDestroy(): void {
    for (const presence of this.rooms.values()) {
      if (presence.state !== 'quiet') clearTimeout(presence.timer);
    }
    this.rooms.clear();
  }

  private change(room: string, change: PresenceChange): void {
    const presence = this.rooms.get(room) ?? { state: 'quiet' };
    if (change.kind === 'renamed') {
      const { user } = change;
      if (presence.state === 'collecting' && presence.joined.has(user.userId)) {
        presence.joined.set(user.userId, user);
      } else {
        this.fanout.publishHere(room, { event: 'presence.renamed', data: { room, user } });
      }
      return;
    }
    switch (presence.state) {
      case 'quiet':
        // A change nobody else is there to see sends no frame and starts no window.
        if (!this.sendSingle(room, change)) return;
        this.rooms.set(room, { state: 'cooling', timer: this.coolDown(room, change.online) });
        return;
      case 'cooling':
        this.rooms.set(room, {
          state: 'collecting',
          timer: presence.timer,
          ...collect(new Map(), new Map(), change),
          online: change.online,
        });
        return;
      case 'collecting':
        collect(presence.joined, presence.left, change);
        presence.online = change.online;
        return;
    }
  }

  /** The window since the last frame closed. */
  private cooled(room: string): void {
    const presence = this.rooms.get(room);
    if (presence?.state !== 'collecting' || presence.joined.size + presence.left.size === 0) {
      this.rooms.delete(room);
      return;
    }
    this.fanout.publishHere(room, {
      event: 'presence.diff',
      data: {
        room,
        joined: latest(presence.joined),
        left: latest(presence.left),
        joinedCount: presence.joined.size,
        leftCount: presence.left.size,
        online: presence.online,
      },
    });
    this.rooms.set(room, { state: 'cooling', timer: this.coolDown(room, presence.online) });
  }

  /** Sends a join or leave as a single presence frame; false when no other member is there to get it. */
  private sendSingle(room: string, { kind, user, online }: PresenceChange): boolean {
    const data = { room, user, online };
    if (kind === 'joined') {
      if (online <= 1) return false;
      this.fanout.publishHere(
        room,
        { event: 'presence.joined', data },
        { exceptUserId: user.userId },
      );
    } else {
      if (online === 0) return false;
      this.fanout.publishHere(room, { event: 'presence.left', data });
    }
    return true;
  }

  /** Opens the window after a frame that counted `online` members. */
  private coolDown(room: string, online: number): NodeJS.Timeout {
    return setTimeout(() => this.cooled(room), presenceCoalesceWindowMs(online));
  }
}

/**
 * The users a diff names: the last `presenceDiffMaxUsers` changes (a Map keeps insertion order,
 * and a user who came back was inserted again).
 */
function latest(changes: Map<string, User>): User[] {
  return [...changes.values()].slice(-PROTOCOL_BOUNDS.presenceDiffMaxUsers);
}

/** Adds a join or leave to a diff; a user who joined and left (or left and joined) meanwhile drops out. */
function collect(
  joined: Map<string, User>,
  left: Map<string, User>,
  { kind, user }: PresenceChange,
): { joined: Map<string, User>; left: Map<string, User> } {
  const [added, undone] = kind === 'joined' ? [joined, left] : [left, joined];
  if (!undone.delete(user.userId)) added.set(user.userId, user);
  return { joined, left };
}
