import {
  ackSchemas,
  CloseCode,
  decodeServerFrame,
  ErrorCode,
  isTerminalCloseCode,
  PROTOCOL_VERSION,
  type AckData,
  type ChatMessage,
  type ClientEventInput,
  type ClientEventName,
  type ErrorData,
  type OutgoingClientFrame,
  type ServerEventData,
  type ServerEventName,
  type User,
} from '@duplex/protocol';
import type { ReconnectOptions } from './backoff.js';
import { ChatRooms } from './chat-rooms.js';
import type { ConnectionState } from './connection-state.js';
import {
  ConnectionClosedError,
  MalformedAckError,
  RequestError,
  RequestTimeoutError,
} from './errors.js';
import type { FetchLike } from './http-request.js';
import { deriveHttpBase, trimTrailingSlash } from './http-base.js';
import {
  defaultNetworkEventSource,
  watchNetwork,
  type NetworkEventSource,
} from './network-events.js';
import { PendingRequests, type RequestFrame } from './pending-requests.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';
import { createRequestIdGenerator } from './request-ids.js';
import { skippedChatMessage, type SkippedMessage } from './skipped-message.js';
import type { RoomSnapshot, RoomStore } from './room-store.js';
import { TypedEmitter } from './typed-emitter.js';
import {
  resolveWebSocketConstructor,
  SOCKET_OPEN,
  type WebSocketConstructorLike,
  type WebSocketLike,
} from './websocket-like.js';

export interface DuplexClientOptions {
  /** e.g. `ws://127.0.0.1:3001/ws` */
  url: string;
  /** Display name sent in `hello`. */
  name: string;
  /** Defaults to `globalThis.WebSocket`; in Node pass `ws`'s `WebSocket`. */
  WebSocket?: WebSocketConstructorLike;
  /** Default 10000, counted from the `request()` call. */
  requestTimeoutMs?: number;
  /** `false` disables reconnecting. */
  reconnect?: ReconnectOptions | false;
  /** A resume token from an earlier session (e.g. kept across a page reload). */
  resume?: string;
  /**
   * The user's `identity` from an earlier `hello` ack (a browser keeps it in `localStorage`):
   * presented in every `hello`, it makes this client the same user (same `userId`) again.
   * Without one, the server makes a new user; keep what the `identity` event reports.
   */
  identity?: string;
  /** Source of randomness for the back-off jitter; `Math.random` by default. */
  random?: () => number;
  /** Called with whatever a listener throws; `console.error` by default. */
  onListenerError?: (error: unknown) => void;
  /**
   * Origin of the api's HTTP routes (older history). Derived from `url` by default:
   * `ws://host:port/ws` → `http://host:port`, `wss:` → `https:`.
   */
  httpUrl?: string;
  /** `fetch` for the HTTP routes; `globalThis.fetch` by default. */
  fetch?: FetchLike;
  /**
   * While ready, a `ping` goes out this often; one unanswered within `requestTimeoutMs` means
   * the link is dead (a sleeping laptop, a changed network) and the client reconnects.
   * Default 25000; 0 turns it off.
   */
  keepAliveIntervalMs?: number;
  /**
   * Source of the browser's `online`/`offline` events (the page's `window` by default, none in
   * Node): offline drops the socket at once, online retries at once instead of after the back-off.
   */
  networkEvents?: NetworkEventSource | null;
}

export interface CloseInfo {
  code: number;
  reason: string;
  willReconnect: boolean;
}

/** Why the last connection (or attempt to connect) ended: its close code and reason. */
export interface DisconnectInfo {
  code: number;
  /** The server's or this client's reason; empty when the browser gives none (e.g. code 1006). */
  reason: string;
}

export type DuplexClientEvents = {
  state: ConnectionState;
  close: CloseInfo;
  /**
   * The user's identity, when a `hello` ack brings one other than the client held (the first
   * one, or a new user after an identity the server no longer accepts): persist it.
   */
  identity: string;
  /**
   * The user's name, when another session of the user (another tab, another device) said
   * `hello` under a new one (told by `presence.renamed`, or by the ack of a resume), or when
   * `adoptName` took one: this client's next `hello` uses it, and `session.name` is it once the
   * server has said so.
   */
  name: string;
  /** `error` frames without an `id`, and the error of a `hello` that left the client closed. */
  error: ErrorData;
  /** A `chat.message` of a kind this client does not know: skipped, its `seq` taken all the same. */
  'chat.skipped': SkippedMessage;
  /**
   * The next reconnect attempt was scheduled (its time, as `nextRetryAt`) or is no longer
   * waited for (`null`: the attempt started, `retryNow()` was called, or the client closed).
   */
  retry: number | null;
} & { [E in ServerEventName]: ServerEventData<E> };

export interface RequestOptions {
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_INTERVAL_MS = 25_000;

/**
 * Code this client closes a socket with when it gives up on it itself (no `hello` ack in time,
 * a transient `hello` failure) and reconnects. Browsers only let a page send 1000 or 3000–4999.
 */
export const CLIENT_RETRY_CLOSE_CODE = 4000;

/** `hello` errors worth retrying on a new connection rather than giving up. */
const TRANSIENT_HELLO_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.Internal,
  ErrorCode.RateLimited,
]);

const ignore = (): void => {};

export class DuplexClient {
  private currentState: ConnectionState = 'idle';
  private lastSession: AckData<'hello'> | null = null;
  private resumeToken: string | undefined;
  private currentName: string;
  private currentIdentity: string | undefined;
  private socket: WebSocketLike | null = null;
  private readonly pending = new PendingRequests();
  private readonly nextId = createRequestIdGenerator();
  private readonly emitter: TypedEmitter<DuplexClientEvents>;
  private readonly reconnect: ReconnectScheduler | null;
  private readonly requestTimeoutMs: number;
  private readonly chat: ChatRooms;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private stopWatchingNetwork: (() => void) | null = null;
  private scheduledRetryAt: number | null = null;
  private lastLoss: DisconnectInfo | null = null;

  constructor(private readonly options: DuplexClientOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.reconnect =
      options.reconnect === false
        ? null
        : new ReconnectScheduler(options.reconnect ?? {}, options.random);
    this.resumeToken = options.resume;
    this.currentIdentity = options.identity;
    this.currentName = options.name;
    const onListenerError = options.onListenerError ?? ((error: unknown) => console.error(error));
    this.emitter = new TypedEmitter(onListenerError);
    this.chat = new ChatRooms(this, {
      httpBase: () => trimTrailingSlash(options.httpUrl ?? deriveHttpBase(options.url)),
      fetch: options.fetch,
      onListenerError,
      random: options.random,
    });
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The last `hello` ack; kept after a disconnect. */
  get session(): AckData<'hello'> | null {
    return this.lastSession;
  }

  /**
   * When the next reconnect attempt starts (ms since the epoch, the `Date.now()` clock) while the
   * client is `reconnecting` and waiting out its back-off; null otherwise (connected, an attempt
   * under way, closed). Changes are reported by the `retry` event.
   */
  get nextRetryAt(): number | null {
    return this.scheduledRetryAt;
  }

  /**
   * Why the last connection, or the last attempt to connect, ended (set before the `close` and
   * `state` events that report the loss); null once a `hello` is acknowledged. A socket that
   * never opened reports what the browser gives: usually code 1006 and no reason.
   */
  get lastDisconnect(): DisconnectInfo | null {
    return this.lastLoss;
  }

  /** The name presented in the next `hello`: the `name` option, or the user's latest rename. */
  get name(): string {
    return this.currentName;
  }

  /**
   * Takes a name the user took elsewhere (another tab told its own server session) for this
   * client's next `hello`; nothing is sent now. To rename the user, say `hello` under the new
   * name: a new client, or `close()` and `connect()` after this.
   */
  adoptName(name: string): void {
    if (name === this.currentName) return;
    this.currentName = name;
    this.emitter.emit('name', name);
  }

  /**
   * The identity presented in the next `hello`: the last ack's, else the `identity` option.
   * Changes are reported by the `identity` event.
   */
  get identity(): string | undefined {
    return this.currentIdentity;
  }

  /** Opens the connection. Does nothing unless the client is `idle` or `closed`. */
  connect(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'closed') return;
    this.reconnect?.reset();
    this.stopWatchingNetwork ??= watchNetwork(
      this.options.networkEvents === undefined
        ? defaultNetworkEventSource()
        : this.options.networkEvents,
      { online: () => this.networkOnline(), offline: () => this.networkOffline() },
    );
    this.setState('connecting');
    try {
      this.openSocket();
    } catch (error) {
      this.pending.rejectAll(new ConnectionClosedError('The connection could not be opened'));
      this.setState('closed');
      throw error;
    }
  }

  /**
   * Starts the next reconnect attempt now instead of at the end of the back-off delay (a "Retry
   * now" button). Does something only while `reconnecting` and waiting for that delay; while an
   * attempt is under way, connected, `idle` or `closed` it does nothing. A failed attempt backs
   * off as any other would.
   */
  retryNow(): void {
    const reconnect = this.reconnect;
    if (this.currentState !== 'reconnecting' || this.socket !== null || !reconnect?.pending) return;
    reconnect.cancel();
    this.announceRetry(null);
    this.attemptNow(reconnect);
  }

  /** Closes the connection for good: no reconnect, pending requests reject, state `closed`. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.currentState === 'closed') return;
    this.stop({ code, reason });
  }

  /** Sends a request and resolves with its ack. Made before `ready`, it waits for `ready`. */
  request<E extends ClientEventName>(
    event: E,
    data: ClientEventInput<E>,
    options: RequestOptions = {},
  ): Promise<AckData<E>> {
    if (event === 'hello') {
      return Promise.reject(new TypeError('hello is sent by the client itself'));
    }
    if (this.currentState === 'closed') {
      return Promise.reject(new ConnectionClosedError('The client is closed'));
    }
    const frame: RequestFrame = { event, data, id: this.nextId() } as RequestFrame;
    const reply = this.pending.add(frame, options.timeoutMs ?? this.requestTimeoutMs);
    if (this.currentState === 'ready') this.sendRequest(frame);
    return reply as Promise<AckData<E>>;
  }

  /**
   * Sends a frame without `id`: no ack, and the server answers only a failure (as an `error`
   * event). Returns false, sending nothing, unless the client is `ready`.
   */
  send<E extends ClientEventName>(event: E, data: ClientEventInput<E>): boolean {
    if (event === 'hello') throw new TypeError('hello is sent by the client itself');
    if (this.currentState !== 'ready' || !this.socket) return false;
    const frame: OutgoingClientFrame<E> = { event, data };
    return this.write(this.socket, frame);
  }

  /**
   * Joins `room` and keeps it joined: after every reconnect it is joined again with `since`
   * (missed messages merged, one per `seq`). Resolves with the first snapshot once joined.
   * Made before `ready`, it waits for `ready`.
   */
  joinRoom(room: string): Promise<RoomSnapshot> {
    return this.chat.joinRoom(room);
  }

  /** Leaves `room`: its store and its unsent messages are dropped. */
  leaveRoom(room: string): Promise<void> {
    return this.chat.leaveRoom(room);
  }

  /** The state of a room joined with `joinRoom`, until it is left. */
  room(room: string): RoomStore | undefined {
    return this.chat.room(room);
  }

  /**
   * Sends `text` to a joined room and returns its `clientId`. The message shows in the room's
   * `pending` at once, waits in the outbox while offline, and is delivered exactly once:
   * replayed after a reconnect with the same `clientId` until the server acknowledges it.
   */
  sendChat(room: string, text: string): string {
    return this.chat.sendChat(room, text);
  }

  /** Queues a `failed` message again (same `clientId`); false when there is none. */
  retryChat(room: string, clientId: string): boolean {
    return this.chat.retryChat(room, clientId);
  }

  /** Drops a `failed` or still `queued` message; false when there is none. */
  discardChat(room: string, clientId: string): boolean {
    return this.chat.discardChat(room, clientId);
  }

  /** Whether the user is typing in `room`: at most one `typing: true` per 3 s, one `false` when stopped. */
  setTyping(room: string, typing: boolean): void {
    this.chat.setTyping(room, typing);
  }

  /** Loads up to `limit` messages older than the first one held, over HTTP, into the room. */
  loadOlder(room: string, limit?: number): Promise<ChatMessage[]> {
    return this.chat.loadOlder(room, limit);
  }

  /**
   * Loads the next page of `room`'s members over HTTP (`GET /api/rooms/:room/members`, ordered
   * by `userId`, from where the last page ended; `limit` 1–500, default 100) into the room's
   * `members`; resolves with the users it added. `hasMoreMembers` in the room's snapshot tells
   * whether there are more. Rejects with a `MembersRequestError` when the request fails.
   */
  loadMoreMembers(room: string, limit?: number): Promise<User[]> {
    return this.chat.loadMoreMembers(room, limit);
  }

  /** Subscribes to state changes, closes, id-less errors or server pushes; returns the unsubscribe. */
  on<K extends keyof DuplexClientEvents>(
    type: K,
    listener: (value: DuplexClientEvents[K]) => void,
  ): () => void {
    return this.emitter.on(type, listener);
  }

  private openSocket(): void {
    const WebSocketImpl = resolveWebSocketConstructor(this.options.WebSocket);
    const socket = new WebSocketImpl(this.options.url);
    this.socket = socket;
    socket.onopen = () => this.whileCurrent(socket, () => this.authenticate(socket));
    socket.onmessage = (event) => this.whileCurrent(socket, () => this.receive(event.data));
    socket.onclose = (event) =>
      this.whileCurrent(socket, () =>
        this.connectionLost({
          code: event.code,
          reason: event.reason,
          retry: !isTerminalCloseCode(event.code),
        }),
      );
    socket.onerror = ignore; // a close event always follows
  }

  /** Runs a socket callback only if `socket` is still the current one, and never lets it throw. */
  private whileCurrent(socket: WebSocketLike, callback: () => void): void {
    if (socket !== this.socket) return;
    try {
      callback();
    } catch (error) {
      (this.options.onListenerError ?? console.error)(error);
    }
  }

  private authenticate(socket: WebSocketLike): void {
    this.setState('authenticating');
    const data: ClientEventInput<'hello'> = {
      protocol: PROTOCOL_VERSION,
      name: this.currentName,
      ...(this.resumeToken !== undefined && { resume: this.resumeToken }),
      ...(this.currentIdentity !== undefined && { identity: this.currentIdentity }),
    };
    const frame: RequestFrame = { event: 'hello', data, id: this.nextId() };
    const reply = this.pending.add(frame, this.requestTimeoutMs) as Promise<AckData<'hello'>>;
    this.sendRequest(frame);
    reply.then(
      (session) => this.whileCurrent(socket, () => this.authenticated(session)),
      (error: unknown) =>
        this.whileCurrent(socket, () => this.helloFailed(socket, error, data.resume !== undefined)),
    );
  }

  private authenticated(session: AckData<'hello'>): void {
    this.lastSession = session;
    this.lastLoss = null;
    this.resumeToken = session.resume;
    const identityChanged = session.identity !== this.currentIdentity;
    this.currentIdentity = session.identity;
    // A resumed session has the user's latest name, which another tab may have changed.
    const renamed = session.name !== this.currentName;
    this.currentName = session.name;
    this.reconnect?.reset();
    this.startKeepAlive();
    // Queued requests go out before state listeners run, so that they keep their order.
    for (const frame of this.pending.unsent()) this.sendRequest(frame);
    if (identityChanged) this.emitter.emit('identity', session.identity);
    if (renamed) this.emitter.emit('name', session.name);
    this.setState('ready');
  }

  private helloFailed(socket: WebSocketLike, error: unknown, resumed: boolean): void {
    if (error instanceof RequestError) {
      if (error.code === ErrorCode.ResumeExpired && resumed) {
        this.resumeToken = undefined;
        this.authenticate(socket);
        return;
      }
      if (TRANSIENT_HELLO_ERRORS.has(error.code)) {
        this.abandonSocket(error.message);
        return;
      }
      // The server closes with 4002 after `unsupported_protocol`; report that code now.
      const code =
        error.code === ErrorCode.UnsupportedProtocol
          ? CloseCode.UnsupportedProtocol
          : CloseCode.Normal;
      this.emitter.emit('error', {
        code: error.code,
        message: error.message,
        ...(error.fields !== undefined && { details: { fields: error.fields } }),
      });
      this.stop({ code, reason: error.message });
      return;
    }
    if (error instanceof RequestTimeoutError || error instanceof MalformedAckError) {
      this.abandonSocket(error.message);
    }
    // ConnectionClosedError: the close handler has already taken over.
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return; // the server sends text frames only
    const decoded = decodeServerFrame(raw);
    if (!decoded.ok) {
      // Malformed server frames are ignored; a message of a newer kind only counts its seq.
      const skipped = skippedChatMessage(raw);
      if (skipped) this.emitter.emit('chat.skipped', skipped);
      return;
    }
    const { kind, frame } = decoded.value;
    if (kind === 'ack') {
      this.settleAck(frame.id, frame.data);
    } else if (kind === 'error') {
      // An error for an unknown id answers a request that has already timed out: dropped.
      if (frame.id !== undefined) this.pending.reject(frame.id, new RequestError(frame.data));
      else this.emitter.emit('error', frame.data);
    } else {
      if (frame.event === 'presence.renamed') this.renamed(frame.data.user);
      this.emitter.emit(frame.event, frame.data);
    }
  }

  /**
   * Another session of this user took a new name: this session is called so now (its own
   * messages are shown under it), and a later `hello` must not undo it.
   */
  private renamed(user: User): void {
    const session = this.lastSession;
    if (!session || user.userId !== session.userId) return;
    if (user.name === session.name && user.name === this.currentName) return;
    this.currentName = user.name;
    this.lastSession = { ...session, name: user.name };
    this.emitter.emit('name', user.name);
  }

  private settleAck(id: string, data: unknown): void {
    const event = this.pending.eventOf(id);
    if (event === undefined) return;
    const parsed = ackSchemas[event].safeParse(data);
    if (parsed.success) this.pending.resolve(id, parsed.data);
    else this.pending.reject(id, new MalformedAckError(event));
  }

  private sendRequest(frame: RequestFrame): void {
    if (this.socket && this.write(this.socket, frame)) this.pending.markSent(frame.id);
  }

  private write(socket: WebSocketLike, frame: OutgoingClientFrame): boolean {
    if (socket.readyState !== SOCKET_OPEN) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false; // the socket is going away; its close event follows
    }
  }

  /** Gives up on the current socket from this side and reconnects (if enabled). */
  private abandonSocket(reason: string): void {
    this.detachSocket(CLIENT_RETRY_CLOSE_CODE, reason);
    this.connectionLost({ code: CLIENT_RETRY_CLOSE_CODE, reason, retry: true });
  }

  private connectionLost(info: { code: number; reason: string; retry: boolean }): void {
    this.socket = null;
    this.lastLoss = { code: info.code, reason: info.reason };
    this.stopKeepAlive();
    this.pending.rejectSent(new ConnectionClosedError());
    if (!info.retry || !this.reconnect) {
      this.stop({ code: info.code, reason: info.reason });
      return;
    }
    this.setState('reconnecting');
    this.emitter.emit('close', { code: info.code, reason: info.reason, willReconnect: true });
    this.scheduleRetry(this.reconnect);
  }

  private scheduleRetry(reconnect: ReconnectScheduler): void {
    const delay = reconnect.schedule(() => {
      this.announceRetry(null);
      this.attemptNow(reconnect);
    });
    this.announceRetry(Date.now() + delay);
  }

  private attemptNow(reconnect: ReconnectScheduler): void {
    try {
      this.openSocket();
    } catch (error) {
      this.lastLoss = {
        code: CLIENT_RETRY_CLOSE_CODE,
        reason: error instanceof Error ? error.message : String(error),
      };
      this.scheduleRetry(reconnect);
    }
  }

  private announceRetry(at: number | null): void {
    if (at === this.scheduledRetryAt) return;
    this.scheduledRetryAt = at;
    this.emitter.emit('retry', at);
  }

  private stop(info: { code: number; reason: string }): void {
    this.reconnect?.cancel();
    this.announceRetry(null);
    this.lastLoss = { code: info.code, reason: info.reason };
    this.stopKeepAlive();
    this.stopWatchingNetwork?.();
    this.stopWatchingNetwork = null;
    this.detachSocket(info.code, info.reason);
    this.pending.rejectAll(new ConnectionClosedError());
    const wasConnected = this.currentState !== 'idle';
    this.setState('closed');
    if (wasConnected) this.emitter.emit('close', { ...info, willReconnect: false });
  }

  /** Closes the current socket, if any, and stops listening to it. */
  private detachSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    // No-ops rather than null: `ws` throws on an 'error' event nobody listens to.
    socket.onopen = ignore;
    socket.onmessage = ignore;
    socket.onclose = ignore;
    socket.onerror = ignore;
    try {
      socket.close(code, reason);
    } catch {
      socket.close(); // a code the platform refuses to send (e.g. 1001 in browsers)
    }
  }

  private startKeepAlive(): void {
    this.stopKeepAlive();
    const interval = this.options.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_INTERVAL_MS;
    if (interval <= 0) return;
    this.keepAliveTimer = setInterval(() => {
      const socket = this.socket;
      this.request('ping', {}).catch((error: unknown) => {
        if (error instanceof RequestTimeoutError && socket !== null && socket === this.socket) {
          this.abandonSocket('keep-alive ping unanswered');
        }
      });
    }, interval);
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer !== undefined) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /** The browser lost the network: whatever the socket says, it cannot deliver now. */
  private networkOffline(): void {
    if (this.socket !== null) this.abandonSocket('the network went offline');
  }

  /** The network is back: retry now rather than at the end of the back-off delay. */
  private networkOnline(): void {
    this.retryNow();
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emitter.emit('state', state);
  }
}
