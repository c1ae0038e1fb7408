import { isTextMessage, type AckData, type ChatMessage, type User } from '@duplex/protocol';
import { MemberPaging, type MemberPageLoad } from './member-paging.js';
import { contiguousSeq, mergeMessages } from './message-log.js';
import type { PendingMessage } from './outbox.js';
import { TypingTracker } from './typing-tracker.js';

/** One room as the UI shows it. Immutable: a change makes a new snapshot. */
export interface RoomSnapshot {
  readonly room: string;
  /**
   * The members known, those in their grace period included, the current user too: the join
   * ack's (at most 100: the joiner first, then the most recently active), then those loaded with
   * `loadMoreMembers` and those presence reported since, each once. Presence keeps it current.
   */
  readonly members: readonly User[];
  /** How many users are members: the server's full count, which `members` may not all list. */
  readonly online: number;
  /** Whether `loadMoreMembers` can list members not in `members` yet. */
  readonly hasMoreMembers: boolean;
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
  /**
   * Whether the room is joined on the current connection, so that `members`, `online` and
   * `typing` are kept current. False until the first join and from a lost connection until the
   * room is joined again: meanwhile they hold the last known values.
   */
  readonly live: boolean;
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
  private readonly paging = new MemberPaging();
  /** Seqs past `lastSeq` of messages of a kind not shown (see `skipMessage`). */
  private readonly skipped = new Set<number>();
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
      hasMoreMembers: false,
      messages: Object.freeze([]),
      pending: Object.freeze([]),
      typing: this.typingTracker.users,
      lastSeq: 0,
      hasOlder: false,
      recovered: false,
      live: false,
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
      this.paging.reset();
      this.change({ live: true });
      this.changeMembers(Object.freeze([...ack.members]), ack.online);
      if (ack.recovered) {
        // Every message up to the ack's lastSeq is in its history, or of a kind not shown.
        this.change({ recovered: true });
        this.addMessages(ack.history, ack.lastSeq);
        return;
      }
      // Messages past the ack's lastSeq were broadcast after it; keep them.
      const later = this.draft.messages.filter((message) => message.seq > ack.lastSeq);
      const messages = mergeMessages(Object.freeze([...ack.history]), later);
      const lowest = messages[0]?.seq;
      this.change({
        recovered: false,
        messages,
        lastSeq: this.reachedSeq(ack.lastSeq, messages),
        hasOlder: lowest !== undefined ? lowest > 1 : ack.lastSeq > 0,
      });
      this.stopTypingOfAuthors(ack.history);
    });
  }

  /**
   * Live or recovered messages (any order, duplicates welcome). `complete`: every seq up to it
   * is accounted for (a recovered history), even those of kinds this client does not show.
   */
  addMessages(incoming: readonly ChatMessage[], complete = 0): void {
    this.batch(() => {
      const messages = mergeMessages(this.draft.messages, incoming);
      const from = Math.max(this.draft.lastSeq, complete);
      this.change({ messages, lastSeq: this.reachedSeq(from, messages) });
      this.stopTypingOfAuthors(incoming);
    });
  }

  /** A message of a kind this client does not show: not held, but its seq is no gap. */
  skipMessage(seq: number): void {
    if (seq <= this.draft.lastSeq) return;
    this.skipped.add(seq);
    this.change({ lastSeq: this.reachedSeq(this.draft.lastSeq, this.draft.messages) });
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
    this.applyPresence([user], [], online);
  }

  memberLeft(user: User, online: number): void {
    this.applyPresence([], [user], online);
  }

  /** A listed member's new name (a member not listed stays unlisted). */
  memberRenamed(user: User): void {
    const index = this.draft.members.findIndex((member) => member.userId === user.userId);
    if (index < 0 || this.draft.members[index]!.name === user.name) return;
    const members = [...this.draft.members];
    members[index] = user;
    this.changeMembers(Object.freeze(members), this.draft.online);
  }

  /**
   * Presence changes of one frame (`presence.diff`), as one change of the snapshot.
   * `joinedUnnamed`: how many users joined besides those named in `joined`.
   */
  applyPresence(
    joined: readonly User[],
    left: readonly User[],
    online: number,
    joinedUnnamed = 0,
  ): void {
    this.batch(() => {
      // Unnamed joiners are found by paging, ordered by userId: they may sort before the cursor,
      // or paging may have ended. Starting over finds them; the merge skips the users known.
      if (joinedUnnamed > 0) this.paging.reset();
      const leaving = new Set(left.map((user) => user.userId));
      const members = this.draft.members.filter((member) => !leaving.has(member.userId));
      for (const user of left) {
        this.paging.left(user.userId);
        this.typingTracker.stop(user.userId);
      }
      const known = new Map(members.map((member, index) => [member.userId, index]));
      for (const user of joined) {
        const index = known.get(user.userId);
        if (index === undefined) {
          known.set(user.userId, members.length);
          members.push(user);
        } else if (members[index]!.name !== user.name) {
          members[index] = user; // listed already (by a join ack): the diff has the latest name
        }
      }
      this.changeMembers(
        this.sameMembers(members) ? this.draft.members : Object.freeze(members),
        online,
      );
    });
  }

  /** Starts loading a page of members; `finishMemberPage` ends it. */
  beginMemberPage(): MemberPageLoad {
    return this.paging.begin();
  }

  /** Ends a page load: its users not known yet are added (`null`: the load failed). */
  finishMemberPage(load: MemberPageLoad, page: readonly User[] | null, limit: number): User[] {
    const users = this.paging.finish(load, page, limit);
    if (users === null) return [];
    const known = new Set(this.draft.members.map((member) => member.userId));
    const added = users.filter((user) => !known.has(user.userId));
    this.changeMembers(
      added.length > 0 ? Object.freeze([...this.draft.members, ...added]) : this.draft.members,
      this.draft.online,
    );
    return added;
  }

  setTyping(user: User, typing: boolean): void {
    this.typingTracker.set(user, typing);
  }

  /** Forgets who is typing (the connection was lost: their `typing: false` would not arrive). */
  clearTyping(): void {
    this.typingTracker.clear();
  }

  /** The connection was lost: members and counts are the last known until the next join. */
  markStale(): void {
    if (this.draft.live) this.change({ live: false });
  }

  /** Stops the typing timers and drops every listener (the room was left). */
  dispose(): void {
    this.typingTracker.clear();
    this.listeners.clear();
  }

  /** The seq reached from `lastSeq` through `messages` and skipped seqs; skips behind it are dropped. */
  private reachedSeq(lastSeq: number, messages: readonly ChatMessage[]): number {
    const reached = contiguousSeq(lastSeq, messages, this.skipped);
    for (const seq of this.skipped) if (seq <= reached) this.skipped.delete(seq);
    return reached;
  }

  private changeMembers(members: readonly User[], online: number): void {
    const hasMoreMembers = !this.paging.exhausted && members.length < online;
    this.change({ members, online, hasMoreMembers });
  }

  private sameMembers(members: readonly User[]): boolean {
    const current = this.draft.members;
    return (
      members.length === current.length &&
      members.every((member, index) => member === current[index])
    );
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
