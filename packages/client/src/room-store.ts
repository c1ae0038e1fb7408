import { isTextMessage, type AckData, type ChatMessage, type User } from '@duplex/protocol';
import { contiguousSeq, mergeMessages } from './message-log.js';
import type { PendingMessage } from './outbox.js';
import { TypingTracker } from './typing-tracker.js';

/** One room as the UI shows it. Immutable: a change makes a new snapshot. */
export interface RoomSnapshot {
  readonly room: string;
  /** Members, those in their grace period included; the current user too. */
  readonly members: readonly User[];
  readonly online: number;
  /** In increasing `seq`, one per `seq`. */
  readonly messages: readonly ChatMessage[];
  /** The user's messages without a `seq` yet, and those the server refused (`failed`). */
  readonly pending: readonly PendingMessage[];
  /** Others typing now. */
  readonly typing: readonly User[];
  /** The highest `seq` received without a gap; recovery asks for what follows it. */
  readonly lastSeq: number;
  /** Whether older messages than the first held can be loaded (`loadOlder`). */
  readonly hasOlder: boolean;
  /** From the last join: true when it returned every message missed since `lastSeq`. */
  readonly recovered: boolean;
}

/** A joined room's state for any UI framework (fits React's `useSyncExternalStore`). */
export interface RoomStore {
  readonly room: string;
  /** `listener` runs after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** The current snapshot: the same object until something changes. */
  getSnapshot(): RoomSnapshot;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The store behind {@link RoomStore}, with the mutations the client applies to it. */
export class RoomState implements RoomStore {
  private snapshot: RoomSnapshot;
  private draft: Mutable<RoomSnapshot>;
  private readonly listeners = new Set<() => void>();
  private readonly typingTracker: TypingTracker;
  private depth = 0;
  private dirty = false;

  constructor(
    readonly room: string,
    private readonly onListenerError: (error: unknown) => void = () => {},
    typingExpiryMs?: number,
  ) {
    this.typingTracker = new TypingTracker(
      () => this.change({ typing: this.typingTracker.users }),
      typingExpiryMs,
    );
    this.snapshot = Object.freeze({
      room,
      members: Object.freeze([]),
      online: 0,
      messages: Object.freeze([]),
      pending: Object.freeze([]),
      typing: this.typingTracker.users,
      lastSeq: 0,
      hasOlder: false,
      recovered: false,
    });
    this.draft = { ...this.snapshot };
  }

  subscribe(listener: () => void): () => void {
    // Wrapped so that subscribing the same function twice gives two subscriptions.
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  getSnapshot(): RoomSnapshot {
    return this.snapshot;
  }

  /** Runs several mutations as one change: listeners run once, at the end. */
  batch(mutations: () => void): void {
    this.depth++;
    try {
      mutations();
    } finally {
      this.depth--;
      if (this.depth === 0 && this.dirty) this.publish();
    }
  }

  /**
   * Applies a `room.join` ack. With `since` and `recovered`, the history is what was missed: it is
   * merged. Otherwise it is the latest page, which may not meet what is held: it replaces it.
   */
  applyJoin(ack: AckData<'room.join'>): void {
    this.batch(() => {
      const members = Object.freeze([...ack.members]);
      if (ack.recovered) {
        this.change({ members, online: members.length, recovered: true });
        this.addMessages(ack.history);
        return;
      }
      // Messages past the ack's lastSeq were broadcast after it; keep them.
      const later = this.draft.messages.filter((message) => message.seq > ack.lastSeq);
      const messages = mergeMessages(Object.freeze([...ack.history]), later);
      const lowest = messages[0]?.seq;
      this.change({
        members,
        online: members.length,
        recovered: false,
        messages,
        lastSeq: contiguousSeq(ack.lastSeq, messages),
        hasOlder: lowest !== undefined ? lowest > 1 : ack.lastSeq > 0,
      });
      this.stopTypingOfAuthors(ack.history);
    });
  }

  /** Live or recovered messages (any order, duplicates welcome). */
  addMessages(incoming: readonly ChatMessage[]): void {
    this.batch(() => {
      const messages = mergeMessages(this.draft.messages, incoming);
      this.change({ messages, lastSeq: contiguousSeq(this.draft.lastSeq, messages) });
      this.stopTypingOfAuthors(incoming);
    });
  }

  /** A page of older messages from `loadOlder`. */
  addOlder(incoming: readonly ChatMessage[], limit: number): void {
    this.batch(() => {
      const messages = mergeMessages(this.draft.messages, incoming);
      const lowest = messages[0]?.seq ?? 1;
      this.change({ messages, hasOlder: incoming.length >= limit && lowest > 1 });
    });
  }

  setPending(pending: readonly PendingMessage[]): void {
    const current = this.draft.pending;
    const same =
      current.length === pending.length &&
      current.every((entry, index) => entry === pending[index]);
    if (!same) this.change({ pending: Object.freeze([...pending]) });
  }

  memberJoined(user: User, online: number): void {
    const present = this.draft.members.some((member) => member.userId === user.userId);
    this.change({
      ...(!present && { members: Object.freeze([...this.draft.members, user]) }),
      online,
    });
  }

  memberLeft(user: User, online: number): void {
    this.batch(() => {
      const members = this.draft.members.filter((member) => member.userId !== user.userId);
      this.change({
        ...(members.length !== this.draft.members.length && { members: Object.freeze(members) }),
        online,
      });
      this.typingTracker.stop(user.userId);
    });
  }

  setTyping(user: User, typing: boolean): void {
    this.typingTracker.set(user, typing);
  }

  /** Forgets who is typing (the connection was lost: their `typing: false` would not arrive). */
  clearTyping(): void {
    this.typingTracker.clear();
  }

  /** Stops the typing timers and drops every listener (the room was left). */
  dispose(): void {
    this.typingTracker.clear();
    this.listeners.clear();
  }

  /** Someone whose message arrived has stopped typing it. */
  private stopTypingOfAuthors(messages: readonly ChatMessage[]): void {
    for (const message of messages)
      if (isTextMessage(message)) this.typingTracker.stop(message.from.userId);
  }

  private change(values: Partial<RoomSnapshot>): void {
    for (const key of Object.keys(values) as (keyof RoomSnapshot)[]) {
      if (this.draft[key] === values[key]) continue;
      (this.draft as Record<keyof RoomSnapshot, unknown>)[key] = values[key];
      this.dirty = true;
    }
    if (this.depth === 0 && this.dirty) this.publish();
  }

  private publish(): void {
    this.dirty = false;
    this.snapshot = Object.freeze({ ...this.draft });
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
