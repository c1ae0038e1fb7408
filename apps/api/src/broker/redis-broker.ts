import type { AppLogger } from '../logging/logger.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { Broker, InstanceMessage, PresenceChange, RoomEnvelope } from './broker.js';

const NEWLINE = 0x0a;
/** In place of a `seq`: the rest is a presence change, as JSON. */
export const PRESENCE_MARK = 'p';

/**
 * Room frames on one Redis channel per room (`room:<room>`), followed by the instances with a
 * member there; messages to an instance on `to:<instanceId>`, and to a user's sessions on
 * `user:<userId>`, followed by the instances where the user has a session. A room frame travels as
 * `origin\nexceptUserId\nseq\n` and the client frame's bytes, so no instance decodes it to
 * pass it on. A presence change travels as `\n\np\n` and its JSON (published by the presence
 * store's scripts).
 */
export class RedisBroker implements Broker {
  /** Rooms subscribed to: `null` once the subscription is confirmed. */
  private readonly following = new Map<string, Promise<void> | null>();
  private readonly followedUsers = new Map<string, Promise<void>>();
  private roomHandler: (envelope: RoomEnvelope) => void = () => {};
  private presenceHandler: (room: string, change: PresenceChange) => void = () => {};
  private instanceHandler: (message: InstanceMessage) => void = () => {};

  constructor(
    private readonly redis: RedisConnections,
    private readonly instanceId: string,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
  ) {}

  async start(): Promise<void> {
    await this.redis.subscriber.subscribe(this.redis.key('to', this.instanceId), (message) =>
      this.receiveInstanceMessage(message),
    );
  }

  publishRoom({ room, payload, seq, exceptUserId }: RoomEnvelope): void {
    const header = Buffer.from(`${this.instanceId}\n${exceptUserId ?? ''}\n${seq ?? ''}\n`);
    this.metrics.crossInstancePublishes.inc({ kind: 'room' });
    this.redis.commands
      .publish(this.redis.key('room', room), Buffer.concat([header, payload]))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, room }, 'room frame not published'),
      );
  }

  follow(room: string): Promise<void> | null {
    let subscribed = this.following.get(room);
    if (subscribed === null) return null;
    if (!subscribed) {
      subscribed = this.redis.subscriber.subscribe(
        this.redis.key('room', room),
        (message: Buffer) => this.receiveRoomFrame(room, message),
        true,
      );
      this.following.set(room, subscribed);
      const pending = subscribed;
      pending.then(
        () => {
          if (this.following.get(room) === pending) this.following.set(room, null);
        },
        () => {
          if (this.following.get(room) === pending) this.following.delete(room);
        },
      );
    }
    return subscribed;
  }

  unfollow(room: string): void {
    if (!this.following.has(room)) return;
    this.following.delete(room);
    this.redis.subscriber
      .unsubscribe(this.redis.key('room', room))
      .catch((error: unknown) => this.logger.warn({ err: error, room }, 'unsubscribe failed'));
  }

  onRoomFrame(handler: (envelope: RoomEnvelope) => void): void {
    this.roomHandler = handler;
  }

  onPresenceChange(handler: (room: string, change: PresenceChange) => void): void {
    this.presenceHandler = handler;
  }

  sendToInstance(instanceId: string, message: InstanceMessage): void {
    this.metrics.crossInstancePublishes.inc({ kind: message.kind });
    this.redis.commands
      .publish(this.redis.key('to', instanceId), JSON.stringify(message))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, instanceId }, 'instance message not published'),
      );
  }

  followUser(userId: string): Promise<void> {
    let subscribed = this.followedUsers.get(userId);
    if (!subscribed) {
      subscribed = this.redis.subscriber.subscribe(this.redis.key('user', userId), (message) =>
        this.receiveInstanceMessage(message),
      );
      this.followedUsers.set(userId, subscribed);
    }
    return subscribed;
  }

  unfollowUser(userId: string): void {
    if (!this.followedUsers.delete(userId)) return;
    this.redis.subscriber
      .unsubscribe(this.redis.key('user', userId))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'unsubscribe failed'));
  }

  sendToUser(userId: string, message: InstanceMessage): void {
    this.metrics.crossInstancePublishes.inc({ kind: message.kind });
    this.redis.commands
      .publish(this.redis.key('user', userId), JSON.stringify(message))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'user message not published'));
  }

  onInstanceMessage(handler: (message: InstanceMessage) => void): void {
    this.instanceHandler = handler;
  }

  private receiveRoomFrame(room: string, message: Buffer): void {
    const originEnd = message.indexOf(NEWLINE);
    const exceptEnd = message.indexOf(NEWLINE, originEnd + 1);
    const seqEnd = message.indexOf(NEWLINE, exceptEnd + 1);
    if (originEnd < 0 || exceptEnd < 0 || seqEnd < 0) return;
    // This instance delivered its own frames already.
    if (message.toString('latin1', 0, originEnd) === this.instanceId) return;
    const exceptUserId = message.toString('utf8', originEnd + 1, exceptEnd);
    const seq = message.toString('latin1', exceptEnd + 1, seqEnd);
    if (seq === PRESENCE_MARK) {
      this.presenceHandler(
        room,
        JSON.parse(message.toString('utf8', seqEnd + 1)) as PresenceChange,
      );
      return;
    }
    this.roomHandler({
      room,
      payload: message.subarray(seqEnd + 1),
      ...(seq !== '' && { seq: Number(seq) }),
      ...(exceptUserId !== '' && { exceptUserId }),
    });
  }

  private receiveInstanceMessage(message: string): void {
    try {
      this.instanceHandler(JSON.parse(message) as InstanceMessage);
    } catch (error) {
      this.logger.error({ err: error }, 'instance message could not be handled');
    }
  }
}
