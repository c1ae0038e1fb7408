import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ServerEventFrame } from '@duplex/protocol';
import { BROKER, type Broker, type RoomEnvelope } from '../broker/broker.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { RoomRegistry } from './room-registry.js';
import { RoomStream } from './room-stream.js';

export interface PublishOptions {
  /** Leave this user out (typing and presence go to the others only). */
  exceptUserId?: string;
}

/**
 * Room frames to every member session, on this instance and (through the broker) on the
 * others. `chat.message` frames pass through the room's {@link RoomStream}: in `seq` order,
 * each once, gaps read from the store. With several instances, rooms are also checked every
 * `GAP_CHECK_INTERVAL_MS` against the store, for a message whose instance died before
 * publishing it into a room where nobody sent since.
 */
@Injectable()
export class RoomFanout implements OnModuleDestroy {
  private readonly streams = new Map<string, RoomStream>();
  private readonly checkTimer: NodeJS.Timeout | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(BROKER) private readonly broker: Broker,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
    private readonly registry: RoomRegistry,
    private readonly metrics: MetricsService,
  ) {
    broker.onRoomFrame((envelope) => this.deliverHere(envelope));
    this.checkTimer = config.redis
      ? setInterval(() => void this.checkSilentRooms(), config.gapCheckIntervalMs)
      : null;
  }

  publish(room: string, frame: ServerEventFrame, { exceptUserId }: PublishOptions = {}): void {
    const envelope: RoomEnvelope = {
      room,
      payload: Buffer.from(JSON.stringify(frame)),
      ...(frame.event === 'chat.message' && { seq: frame.data.seq }),
      ...(exceptUserId !== undefined && { exceptUserId }),
    };
    this.deliverHere(envelope);
    this.broker.publishRoom(envelope);
  }

  /** To this instance's members only (each instance coalesces presence for its own). */
  publishHere(room: string, frame: ServerEventFrame, { exceptUserId }: PublishOptions = {}): void {
    this.deliverHere({
      room,
      payload: Buffer.from(JSON.stringify(frame)),
      ...(exceptUserId !== undefined && { exceptUserId }),
    });
  }

  /**
   * A session of this instance is joining the room: from when this resolves (at once when
   * `null`), every frame of the room reaches this instance, so a history read after it misses
   * nothing.
   */
  follow(room: string): Promise<void> | null {
    if (!this.streams.has(room)) this.streams.set(room, this.newStream(room));
    return this.broker.follow(room);
  }

  /** A join's history of the room ended at `lastSeq`. */
  caughtUp(room: string, lastSeq: number): void {
    this.streams.get(room)?.caughtUp(lastSeq);
  }

  /** The room has no member session here any more. */
  unfollow(room: string): void {
    this.streams.get(room)?.close();
    this.streams.delete(room);
    this.broker.unfollow(room);
  }

  onModuleDestroy(): void {
    if (this.checkTimer) clearInterval(this.checkTimer);
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
  }

  private deliverHere({ room, payload, seq, exceptUserId }: RoomEnvelope): void {
    if (seq !== undefined) {
      this.streams.get(room)?.receive(seq, payload);
      return;
    }
    let sent = 0;
    for (const feed of this.registry.feedsIn(room)) {
      if (feed.session.user.userId !== exceptUserId && feed.deliver(payload)) sent++;
    }
    if (sent > 0) this.countSent(payload, sent);
  }

  private newStream(room: string): RoomStream {
    return new RoomStream(
      async (after, limit) =>
        (await this.store.page(room, { after, limit })).map((message) => ({
          seq: message.seq,
          payload: Buffer.from(JSON.stringify({ event: 'chat.message', data: message })),
        })),
      (seq, payload) => {
        let sent = 0;
        for (const feed of this.registry.feedsIn(room)) {
          if (feed.deliverMessage(seq, payload)) sent++;
        }
        if (sent > 0) this.metrics.framesOut.inc({ event: 'chat.message' }, sent);
      },
      (count) => this.metrics.gapFills.inc(count),
      (error) => this.logger.warn({ err: error, room }, 'gap fill failed; retrying'),
    );
  }

  private async checkSilentRooms(): Promise<void> {
    const rooms = [...this.streams].filter(([, stream]) => stream.lastSeq !== undefined);
    if (rooms.length === 0) return;
    try {
      const stored = await this.store.lastSeqs(rooms.map(([room]) => room));
      for (const [room, lastSeq] of stored) this.streams.get(room)?.caughtUp(lastSeq);
    } catch (error) {
      this.logger.warn({ err: error }, 'silent-room check failed');
    }
  }

  private countSent(payload: Buffer, sent: number): void {
    // The event name is the frame's first field: `{"event":"<name>",`.
    const end = payload.indexOf(0x22, 10);
    this.metrics.framesOut.inc({ event: payload.toString('latin1', 10, end) }, sent);
  }
}
