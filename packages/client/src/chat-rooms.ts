import {
  ErrorCode,
  isTextMessage,
  PROTOCOL_BOUNDS,
  presenceCoalesceWindowMs,
  type AckData,
  type ChatMessage,
  type ClientEventInput,
  type ClientEventName,
  type MembersPage,
  type ServerEventData,
  type User,
} from '@duplex/protocol';
import { backoffDelay } from './backoff.js';
import { createClientId } from './client-id.js';
import type { ConnectionState } from './connection-state.js';
import type { DuplexClientEvents } from './duplex-client.js';
import { ConnectionClosedError, RequestError, RequestTimeoutError } from './errors.js';
import { clampLimit, fetchOlderMessages } from './history-loader.js';
import { defaultFetch, type FetchLike } from './http-request.js';
import { clampMembersLimit, fetchMembersPage } from './members-loader.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { RoomState, type RoomSnapshot, type RoomStore } from './room-store.js';
import { TypingThrottle } from './typing-throttle.js';

/** What the chat layer needs of the connection: `DuplexClient` fits. */
export interface ChatLink {
  readonly state: ConnectionState;
  readonly session: AckData<'hello'> | null;
  request<E extends ClientEventName>(event: E, data: ClientEventInput<E>): Promise<AckData<E>>;
  send<E extends ClientEventName>(event: E, data: ClientEventInput<E>): boolean;
  on<K extends keyof DuplexClientEvents>(
    type: K,
    listener: (value: DuplexClientEvents[K]) => void,
  ): () => void;
}

export interface ChatRoomsOptions {
  /** Origin of the api's HTTP routes, e.g. `http://127.0.0.1:3001`; asked when first needed. */
  httpBase: () => string;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  onListenerError: (error: unknown) => void;
  /** How long another user's `typing: true` counts without a refresh; default 6000. */
  typingExpiryMs?: number | undefined;
  /** Minimum gap between two `typing: true` sent; default 3000. */
  typingThrottleMs?: number | undefined;
  /** Wait before re-sending a `chat.send` refused with `rate_limited`; default 1000. */
  rateLimitRetryMs?: number | undefined;
  /** Randomness of the refused joins' back-off; `Math.random` by default. */
  random?: (() => number) | undefined;
}

/**
 * A room's `room.join` on the current connection: none in flight; one waiting out a delay (a
 * re-read of the members, or a join refused for a while); one in flight; or one in flight sent
 * before members left unnamed (its ack may still list them: another join follows).
 */
type JoinFlight = 'idle' | 'waiting' | 'sent' | 'outdated';

interface JoinedRoom {
  readonly state: RoomState;
  readonly throttle: TypingThrottle;
  /** A join was acknowledged once: later joins recover with `since`. */
  joined: boolean;
  /** The link epoch in which a join was last sent, or -1. */
  joinEpoch: number;
  /** The link epoch in which a join was last acknowledged, or -1: its messages may go out. */
  liveEpoch: number;
  flight: JoinFlight;
  /** The timer of a `waiting` join. */
  waitTimer: ReturnType<typeof setTimeout> | undefined;
  /** Joins refused in a row for a passing reason (rate limit, server error, timeout). */
  refusedJoins: number;
  waiters: { resolve: (snapshot: RoomSnapshot) => void; reject: (error: unknown) => void }[];
  olderLoad: Promise<ChatMessage[]> | undefined;
  membersLoad: Promise<User[]> | undefined;
}

/**
 * Rooms, chat and presence over a {@link ChatLink}, with recovery: after every successful
 * `hello` the joined rooms are joined again with `since` (their history merged, one message per
 * `seq`), even when the session was resumed, since frames sent to it meanwhile were dropped;
 * rooms the `hello` ack lists that this client no longer holds are left; then the outbox of
 * unacknowledged sends is replayed in order with the same `clientId`s.
 */
export class ChatRooms {
  private readonly rooms = new Map<string, JoinedRoom>();
  /** Rooms with a `room.leave` on its way. */
  private readonly leaving = new Set<string>();
  private readonly outbox = new Outbox();
  /**
   * Every userId this client has had: the same one while its identity is accepted, a new one
   * after a hello without it (or with one the server no longer accepts).
   */
  private readonly ownUserIds = new Set<string>();
  /** Counts successful hellos; work started for an older epoch stops. */
  private epoch = 0;
  /** Rooms re-joined in this epoch: sends may go out. */
  private synced = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly link: ChatLink,
    private readonly options: ChatRoomsOptions,
  ) {
    link.on('state', (state) => this.stateChanged(state));
    link.on('chat.message', (message) => this.messageReceived(message));
    link.on('presence.joined', ({ room, user, online }) =>
      this.rooms.get(room)?.state.memberJoined(user, online),
    );
    link.on('presence.left', ({ room, user, online }) =>
      this.rooms.get(room)?.state.memberLeft(user, online),
    );
    link.on('presence.renamed', ({ room, user }) =>
      this.rooms.get(room)?.state.memberRenamed(user),
    );
    link.on('chat.skipped', ({ room, seq }) => this.rooms.get(room)?.state.skipMessage(seq));
    link.on('presence.diff', (diff) => this.presenceDiff(diff));
    link.on('chat.typing', (data) => this.typingReceived(data));
  }

  room(room: string): RoomStore | undefined {
    return this.rooms.get(room)?.state;
  }

  /** Joins `room` (when the link is ready) and keeps it joined across reconnects until left. */
  joinRoom(room: string): Promise<RoomSnapshot> {
    const existing = this.rooms.get(room);
    if (existing?.joined) return Promise.resolve(existing.state.getSnapshot());
    if (!existing && this.link.state === 'closed') {
      return Promise.reject(new ConnectionClosedError('The client is closed'));
    }
    const entry = existing ?? this.addRoom(room);
    const joined = new Promise<RoomSnapshot>((resolve, reject) =>
      entry.waiters.push({ resolve, reject }),
    );
    if (this.link.state === 'ready' && entry.joinEpoch !== this.epoch)
      void this.join(entry, this.epoch);
    return joined;
  }

  /** Leaves `room`: its store, its typing timers and its unsent messages are dropped. */
  async leaveRoom(room: string): Promise<void> {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.rooms.delete(room);
    clearTimeout(entry.waitTimer);
    this.outbox.removeRoom(room);
    entry.state.dispose();
    this.settleWaiters(entry, new ConnectionClosedError(`Left "${room}" before it was joined`));
    if (!entry.joined && entry.joinEpoch === -1) return; // the server never heard of it
    try {
      await this.sendLeave(room);
    } catch (error) {
      if (error instanceof RequestError && error.code === ErrorCode.NotInRoom) return;
      // Lost with the connection: a resumed session that still holds the room leaves it then.
      if (error instanceof ConnectionClosedError) return;
      throw error;
    }
  }

  /**
   * Queues `text` for `room` under a new `clientId` (returned), visible at once in the room's
   * `pending`, sent when the link is ready and delivered exactly once.
   */
  sendChat(room: string, text: string): string {
    const entry = this.rooms.get(room);
    if (!entry) throw new Error(`Join "${room}" before sending to it`);
    const clientId = createClientId();
    this.outbox.add(room, clientId, text);
    this.showPending(room);
    this.flush();
    return clientId;
  }

  /** Queues a `failed` message again, same `clientId`. */
  retryChat(room: string, clientId: string): boolean {
    const entry = this.outbox.get(clientId);
    if (entry?.room !== room || entry.status !== 'failed') return false;
    this.outbox.requeue(clientId);
    this.showPending(room);
    this.flush();
    return true;
  }

  /** Drops a `failed` or still `queued` message. */
  discardChat(room: string, clientId: string): boolean {
    const entry = this.outbox.get(clientId);
    if (entry?.room !== room || entry.status === 'sending') return false;
    this.outbox.remove(clientId);
    this.showPending(room);
    return true;
  }

  /** Tells the room whether the user is typing; throttled, and dropped while offline. */
  setTyping(room: string, typing: boolean): void {
    const entry = this.rooms.get(room);
    if (!entry?.joined || !entry.throttle.shouldSend(typing)) return;
    if (this.link.send('chat.typing', { room, typing })) entry.throttle.sent(typing);
  }

  /** Fetches up to `limit` messages older than the first one held and prepends them. */
  loadOlder(room: string, limit = 50): Promise<ChatMessage[]> {
    const entry = this.rooms.get(room);
    if (!entry) return Promise.reject(new Error(`Join "${room}" before loading its history`));
    entry.olderLoad ??= this.fetchOlder(entry, clampLimit(limit)).finally(() => {
      entry.olderLoad = undefined;
    });
    return entry.olderLoad;
  }

  /**
   * Loads the next page of the room's members over HTTP (ordered by `userId`, from where the
   * last page ended, or from the first after a join or unnamed joiners) and adds those not known
   * yet; resolves with them. A load in flight is shared.
   */
  loadMoreMembers(room: string, limit: number = PROTOCOL_BOUNDS.membersPageSize): Promise<User[]> {
    const entry = this.rooms.get(room);
    if (!entry) return Promise.reject(new Error(`Join "${room}" before loading its members`));
    entry.membersLoad ??= this.fetchMembers(entry, clampMembersLimit(limit)).finally(() => {
      entry.membersLoad = undefined;
    });
    return entry.membersLoad;
  }

  // ---- connection ----

  private stateChanged(state: ConnectionState): void {
    if (state === 'ready') {
      this.epoch++;
      this.synced = false;
      const userId = this.link.session?.userId;
      if (userId !== undefined) this.ownUserIds.add(userId);
      this.leaveUnheldRooms();
      void this.resync(this.epoch);
      return;
    }
    this.synced = false;
    clearTimeout(this.retryTimer);
    for (const entry of this.rooms.values()) {
      // The joins after the next hello read the members anyway.
      if (entry.flight === 'waiting') entry.flight = 'idle';
      clearTimeout(entry.waitTimer);
      entry.refusedJoins = 0;
      entry.state.markStale();
      entry.state.clearTyping();
      entry.throttle.reset();
    }
    if (state === 'closed') {
      for (const [room, entry] of [...this.rooms]) {
        if (entry.joined) continue;
        this.rooms.delete(room);
        entry.state.dispose();
        this.outbox.removeRoom(room);
        this.settleWaiters(
          entry,
          new ConnectionClosedError('The client closed before the room was joined'),
        );
      }
    }
  }

  /**
   * Leaves the rooms the server's session holds (`rooms` of the `hello` ack) that this client
   * does not: left while the connection was down, their leave lost with it. Staying in them
   * would show this user in their member lists for as long as the session lasts.
   */
  private leaveUnheldRooms(): void {
    for (const room of this.link.session?.rooms ?? []) {
      if (this.rooms.has(room) || this.leaving.has(room)) continue;
      this.sendLeave(room).catch(ignore); // not_in_room or a lost connection: nothing to leave
    }
  }

  private async sendLeave(room: string): Promise<void> {
    this.leaving.add(room);
    try {
      await this.link.request('room.leave', { room });
    } finally {
      this.leaving.delete(room);
    }
  }

  private isCurrent(epoch: number): boolean {
    return epoch === this.epoch && this.link.state === 'ready';
  }

  /** Joins every room again (recovering with `since`), then replays the outbox. */
  private async resync(epoch: number): Promise<void> {
    const joins = [...this.rooms.values()]
      .filter((entry) => entry.joinEpoch !== epoch)
      .map((entry) => this.join(entry, epoch));
    await Promise.all(joins);
    if (!this.isCurrent(epoch)) return;
    this.synced = true;
    this.flush();
  }

  private async join(entry: JoinedRoom, epoch: number): Promise<void> {
    const { room } = entry.state;
    entry.joinEpoch = epoch;
    clearTimeout(entry.waitTimer);
    entry.flight = 'sent';
    const since = entry.joined ? entry.state.getSnapshot().lastSeq : undefined;
    let ack: AckData<'room.join'>;
    try {
      ack = await this.link.request('room.join', { room, ...(since !== undefined && { since }) });
    } catch (error) {
      this.endFlight(entry, epoch);
      if (this.rooms.get(room) !== entry || error instanceof ConnectionClosedError) return;
      if (worthRetrying(error, entry.joined)) {
        this.joinLater(entry, epoch);
        return;
      }
      // Joined before: tried again after the next reconnect. Never joined: the join failed.
      if (!entry.joined) {
        this.rooms.delete(room);
        entry.state.dispose();
        this.outbox.removeRoom(room);
        this.settleWaiters(entry, error);
      }
      return;
    }
    if (this.rooms.get(room) !== entry) return;
    entry.joined = true;
    entry.liveEpoch = epoch;
    entry.refusedJoins = 0;
    entry.state.batch(() => {
      entry.state.applyJoin(ack);
      this.reconcile(room, ack.history);
    });
    this.settleWaiters(entry);
    if (this.endFlight(entry, epoch)) this.rereadMembers(entry, entry.state.getSnapshot().online);
    this.flush(); // messages of a room joined late (after the others) wait for it
  }

  /**
   * A join refused for a passing reason (see {@link worthRetrying}: the rate limit after a
   * reconnect into many rooms, say) is sent again, later each time (1×, 2×, 4×…
   * `rateLimitRetryMs`, ±50 %, at most 30 s), on the same connection; the room's queued
   * messages wait for it.
   */
  private joinLater(entry: JoinedRoom, epoch: number): void {
    if (entry.flight !== 'idle' || !this.isCurrent(epoch)) return;
    const delayMs = backoffDelay(
      entry.refusedJoins,
      { initialDelayMs: this.options.rateLimitRetryMs ?? 1_000, maxDelayMs: MAX_JOIN_RETRY_MS },
      this.options.random,
    );
    entry.refusedJoins += 1;
    this.joinAfter(entry, epoch, delayMs);
  }

  /** Sends the room's join after `delayMs` (the flight `waiting` meanwhile), if still current. */
  private joinAfter(entry: JoinedRoom, epoch: number, delayMs: number): void {
    entry.flight = 'waiting';
    entry.waitTimer = setTimeout(() => {
      entry.flight = 'idle';
      if (this.rooms.get(entry.state.room) === entry && this.isCurrent(epoch)) {
        void this.join(entry, epoch);
      }
    }, delayMs);
  }

  /** The join sent in `epoch` has ended: whether another must follow it. */
  private endFlight(entry: JoinedRoom, epoch: number): boolean {
    if (entry.joinEpoch !== epoch) return false; // a later connection's join is in flight
    const outdated = entry.flight === 'outdated';
    entry.flight = 'idle';
    return outdated;
  }

  /**
   * Members listed may have left unnamed: joining again (with `since`) brings the server's list.
   * The join waits a random part of the room's presence window, as PROTOCOL.md asks, so that
   * after a mass leave the remaining members do not all re-join in the same moment. One join
   * per room at a time: a join in flight may have read the members before they left, so one
   * more follows it (after its own delay); a waiting one covers every diff until it is sent.
   */
  private rereadMembers(entry: JoinedRoom, online: number): void {
    if (entry.flight === 'sent') entry.flight = 'outdated';
    if (entry.flight !== 'idle' || !this.isCurrent(entry.joinEpoch)) return;
    this.joinAfter(entry, entry.joinEpoch, Math.random() * presenceCoalesceWindowMs(online));
  }

  private settleWaiters(entry: JoinedRoom, error?: unknown): void {
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve(entry.state.getSnapshot());
      else waiter.reject(error);
    }
  }

  // ---- outbox ----

  /** Sends every queued message, in order, of the rooms joined again on this connection. */
  private flush(): void {
    if (!this.synced || this.link.state !== 'ready') return;
    for (const entry of this.outbox.sendable()) {
      if (this.rooms.get(entry.room)?.liveEpoch === this.epoch) this.sendEntry(entry);
    }
  }

  private sendEntry({ room, clientId, text }: OutboxEntry): void {
    this.outbox.markSending(clientId);
    this.showPending(room);
    this.link.request('chat.send', { room, clientId, text }).then(
      (ack) => this.delivered(room, clientId, text, ack),
      (error: unknown) => this.sendFailed(room, clientId, error),
    );
  }

  private delivered(room: string, clientId: string, text: string, ack: AckData<'chat.send'>): void {
    this.outbox.remove(clientId);
    const entry = this.rooms.get(room);
    const session = this.link.session;
    if (!entry || !session) return;
    const from = { userId: session.userId, name: session.name };
    entry.state.batch(() => {
      entry.state.addMessages([{ room, seq: ack.seq, clientId, from, text, ts: ack.ts }]);
      this.showPending(room);
    });
  }

  private sendFailed(room: string, clientId: string, error: unknown): void {
    if (error instanceof ConnectionClosedError || error instanceof RequestTimeoutError) {
      // Outcome unknown: sent again with the same clientId, so the server keeps one copy.
      this.outbox.requeue(clientId);
      this.showPending(room);
      this.flush();
      return;
    }
    if (error instanceof RequestError && error.code === ErrorCode.RateLimited) {
      // Not processed: try again shortly.
      this.outbox.requeue(clientId);
      this.showPending(room);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.flush(), this.options.rateLimitRetryMs ?? 1_000);
      return;
    }
    this.outbox.fail(clientId, error instanceof RequestError ? error.code : ErrorCode.Internal);
    this.showPending(room);
  }

  /** Drops outbox entries whose message is among `messages`: the server has them. */
  private reconcile(room: string, messages: readonly ChatMessage[]): void {
    let changed = false;
    for (const message of messages) {
      if (!isTextMessage(message) || !this.ownUserIds.has(message.from.userId)) continue;
      if (this.outbox.get(message.clientId)?.room !== room) continue;
      this.outbox.remove(message.clientId);
      changed = true;
    }
    if (changed) this.showPending(room);
  }

  private showPending(room: string): void {
    this.rooms.get(room)?.state.setPending(this.outbox.forRoom(room));
  }

  // ---- pushes ----

  private messageReceived(message: ChatMessage): void {
    const entry = this.rooms.get(message.room);
    if (!entry) return;
    entry.state.batch(() => {
      entry.state.addMessages([message]);
      this.reconcile(message.room, [message]);
    });
  }

  private presenceDiff(diff: ServerEventData<'presence.diff'>): void {
    const entry = this.rooms.get(diff.room);
    if (!entry) return;
    const { joined, left, online } = diff;
    entry.state.applyPresence(joined, left, online, diff.joinedCount - joined.length);
    if (diff.leftCount > left.length) this.rereadMembers(entry, online);
  }

  private typingReceived({ room, user, typing }: ServerEventData<'chat.typing'>): void {
    if (user.userId === this.link.session?.userId) return; // the server does not echo it; be safe
    this.rooms.get(room)?.state.setTyping(user, typing);
  }

  private async fetchOlder(entry: JoinedRoom, limit: number): Promise<ChatMessage[]> {
    const { room } = entry.state;
    const before = entry.state.getSnapshot().messages[0]?.seq;
    if (before === undefined || before <= 1) {
      entry.state.addOlder([], limit);
      return [];
    }
    const fetch = this.options.fetch ?? defaultFetch();
    const older = await fetchOlderMessages(fetch, this.options.httpBase(), room, before, limit);
    if (this.rooms.get(room) === entry) entry.state.addOlder(older, limit);
    return older;
  }

  private async fetchMembers(entry: JoinedRoom, limit: number): Promise<User[]> {
    const { room } = entry.state;
    const load = entry.state.beginMemberPage();
    let page: MembersPage;
    try {
      const fetch = this.options.fetch ?? defaultFetch();
      page = await fetchMembersPage(fetch, this.options.httpBase(), room, load.after, limit);
    } catch (error) {
      entry.state.finishMemberPage(load, null, limit);
      throw error;
    }
    // A room left meanwhile has a disposed store: nothing shows the page. Only the members are
    // taken: `online` stays the socket's, whose presence frames are ordered, while this answer
    // may be older than the last of them.
    const members = this.rooms.get(room) === entry ? page.members : null;
    return entry.state.finishMemberPage(load, members, limit);
  }

  private addRoom(room: string): JoinedRoom {
    const entry: JoinedRoom = {
      state: new RoomState(room, this.options.onListenerError, this.options.typingExpiryMs),
      throttle: new TypingThrottle(this.options.typingThrottleMs),
      joined: false,
      joinEpoch: -1,
      liveEpoch: -1,
      flight: 'idle',
      waitTimer: undefined,
      refusedJoins: 0,
      waiters: [],
      olderLoad: undefined,
      membersLoad: undefined,
    };
    this.rooms.set(room, entry);
    return entry;
  }
}

const ignore = (): void => {};

const MAX_JOIN_RETRY_MS = 30_000;

/**
 * Whether a refused join is sent again later: a rate limit always; a server error or a timeout
 * only for a room joined before (kept live across reconnects), while a first join reports them.
 */
function worthRetrying(error: unknown, joinedBefore: boolean): boolean {
  if (error instanceof RequestError && error.code === ErrorCode.RateLimited) return true;
  if (!joinedBefore) return false;
  return (
    error instanceof RequestTimeoutError ||
    (error instanceof RequestError && error.code === ErrorCode.Internal)
  );
}
