import { Inject, Injectable } from '@nestjs/common';
import type { AckData, CallRecord, ChatMessage, ClientEventData } from '@duplex/protocol';
import { MetricsService } from '../metrics/metrics.service.js';
import { PRESENCE_STORE, type PresenceStore } from '../presence/presence-store.js';
import { RoomFanout } from '../rooms/room-fanout.js';
import { RoomSequencer } from '../rooms/room-sequencer.js';
import { RoomService } from '../rooms/room.service.js';
import type { Session } from '../session/session.js';
import { MESSAGE_STORE, type MessageStore, type NewMessage } from '../storage/message-store.js';

interface PendingSend {
  message: NewMessage;
  acknowledge: (ack: AckData<'chat.send'>) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Stores and broadcasts chat. Sends to one room queue up while a write is in flight and are
 * stored together in one transaction, so a busy room costs one commit per batch, not per message.
 */
@Injectable()
export class ChatService {
  private readonly pending = new Map<string, PendingSend[]>();

  constructor(
    private readonly rooms: RoomService,
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    private readonly fanout: RoomFanout,
    private readonly sequencer: RoomSequencer,
    private readonly metrics: MetricsService,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
  ) {}

  /**
   * Resolves once the message is stored and `acknowledge` has run; the message is broadcast to
   * the room (sender included) right after its acknowledgement, unless it was a retry.
   */
  send(
    session: Session,
    { room, clientId, text }: ClientEventData<'chat.send'>,
    acknowledge: (ack: AckData<'chat.send'>) => void,
  ): Promise<void> {
    this.rooms.assertMember(session, room);
    this.presence.touch(room, session.user.userId);
    const message: NewMessage = {
      room,
      clientId,
      from: session.user,
      text,
      ts: new Date().toISOString(),
    };
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(room);
      if (queue) {
        queue.push({ message, acknowledge, resolve, reject });
        return;
      }
      this.pending.set(room, [{ message, acknowledge, resolve, reject }]);
      void this.sequencer.run(room, () => this.flush(room));
    });
  }

  typing(session: Session, { room, typing }: ClientEventData<'chat.typing'>): void {
    this.rooms.assertMember(session, room);
    this.fanout.publish(
      room,
      { event: 'chat.typing', data: { room, user: session.user, typing } },
      { exceptUserId: session.user.userId },
    );
  }

  /**
   * Stores a call's outcome in its room, in the room's order with chat, and broadcasts it to
   * every member. Resolves once stored and sent.
   */
  storeCall(room: string, call: CallRecord): Promise<void> {
    return this.sequencer.run(room, async () => {
      const stopTimer = this.metrics.storeLatency.startTimer({ operation: 'append' });
      const message = await this.store.appendCall(room, call, call.endedAt).finally(stopTimer);
      this.metrics.storeCommits.inc();
      this.broadcast(message);
    });
  }

  private async flush(room: string): Promise<void> {
    const batch = this.pending.get(room) ?? [];
    this.pending.delete(room);
    const stopTimer = this.metrics.storeLatency.startTimer({ operation: 'append' });
    let stored;
    try {
      stored = await this.store.appendBatch(
        room,
        batch.map((send) => send.message),
      );
    } catch (error) {
      for (const send of batch) send.reject(error);
      return;
    } finally {
      stopTimer();
    }
    this.metrics.storeCommits.inc();
    this.metrics.storeBatchMessages.observe(batch.length);
    batch.forEach((send, index) => {
      const { message, duplicate } = stored[index]!;
      send.acknowledge({ seq: message.seq, ts: message.ts });
      if (!duplicate) this.broadcast(message);
      send.resolve();
    });
  }

  private broadcast(message: ChatMessage): void {
    this.fanout.publish(message.room, { event: 'chat.message', data: message });
  }
}
