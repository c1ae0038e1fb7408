import type { ServerFrame, User } from '@duplex/protocol';

/** A room frame on its way to the members connected to other instances. */
export interface RoomEnvelope {
  readonly room: string;
  /** The frame, encoded once for every recipient. */
  readonly payload: Buffer;
  /** A `chat.message`'s `seq` (its place in the room's order); absent for other frames. */
  readonly seq?: number;
  /** Left out: typing and presence go to the user's others only. */
  readonly exceptUserId?: string;
}

/**
 * A user joined or left a room, or a member user's name changed, after which the room has
 * `online` users (before any coalescing).
 */
export interface PresenceChange {
  kind: 'joined' | 'left' | 'renamed';
  user: User;
  online: number;
}

/** What one instance tells another about a session. */
export type InstanceMessage =
  /** To an instance: the session was resumed elsewhere: close its connection (4003), forget it. */
  | { kind: 'release-session'; sessionId: string }
  /** To a user: a frame for one of its sessions, wherever it is (calls address sessions). */
  | { kind: 'session-frame'; sessionId: string; frame: ServerFrame }
  /** To a user: it said `hello` with this name; its sessions everywhere take it. */
  | { kind: 'renamed'; user: User };

/**
 * What moves between api instances: room frames to the instances with members in the room,
 * messages to the instances with sessions of a user, and messages to one instance. Delivery to
 * this instance's own sessions is not its job.
 */
export interface Broker {
  /** Sends the frame to every other instance following the room; never waits, never throws. */
  publishRoom(envelope: RoomEnvelope): void;
  /**
   * Starts receiving the room's frames from the others; resolves once they are sure to arrive.
   * `null`: they are already (or there are no others), nothing to wait for.
   */
  follow(room: string): Promise<void> | null;
  /** Stops receiving them (the last member here left). */
  unfollow(room: string): void;
  onRoomFrame(handler: (envelope: RoomEnvelope) => void): void;
  /**
   * Presence changes of the rooms followed, in the one order in which the presence store made
   * them (its scripts publish them on the room's channel as they change it).
   */
  onPresenceChange(handler: (room: string, change: PresenceChange) => void): void;
  sendToInstance(instanceId: string, message: InstanceMessage): void;
  /** Starts receiving messages to the user (a session of it is here); resolves once subscribed. */
  followUser(userId: string): Promise<void>;
  unfollowUser(userId: string): void;
  /** To every other instance following the user. */
  sendToUser(userId: string, message: InstanceMessage): void;
  onInstanceMessage(handler: (message: InstanceMessage) => void): void;
}

export const BROKER = Symbol('BROKER');
