import { decode, DEFAULT_LIMITS, type IceServer, type User } from '@duplex/protocol';
import { DuplexClient } from '../../src/duplex-client.js';
import type { WebSocketConstructorLike } from '../../src/websocket-like.js';
import { FakeWebSocket } from '../fake-websocket.js';

type Frame = { event: string; data: Record<string, unknown>; id?: string };
type Call = {
  callId: string;
  caller: string;
  callee: string;
  active: boolean;
  /** Whether the invite carried the caller's offer (which the accept may then answer). */
  offered: boolean;
};

/**
 * Plays the api for call signalling over fake sockets, as PROTOCOL.md describes it: refuses
 * frames that do not match the protocol's schemas (`bad_message`), answers `hello` (resuming a
 * session presented with its latest token, `resume_expired` for any other token), keeps each
 * call's state (ringing → active → ended) and relays `call.*` to the other party with `from`
 * (the `sdp` of an invite to the callee, of an accept to the caller; an `sdp` in an accept
 * whose invite carried none is `bad_state`).
 * Deliveries matching `holdIf` wait in `held` until `release()`.
 */
export class SignallingRelay {
  readonly WebSocket: WebSocketConstructorLike;
  readonly delivered: { to: string; event: string; data: Record<string, unknown> }[] = [];
  readonly received: { from: string; event: string; data: Record<string, unknown> }[] = [];
  /** Frames refused as not matching the protocol, with the error code they got. */
  readonly refused: { frame: Frame; code: string }[] = [];
  iceServers: IceServer[] = [{ urls: 'stun:stun.test:3478' }];
  holdIf: ((event: string, data: Record<string, unknown>, to: string) => boolean) | null = null;
  /**
   * `false`: relays invites without their `sdp`, as a server of revision 1 did (its schema
   * dropped what it did not know), so that the first exchange takes the other way: the accept
   * without sdp, then the caller's `call.offer`.
   */
  offersInInvites = true;
  readonly held: (() => void)[] = [];
  private readonly sockets = new Map<string, FakeWebSocket>();
  private readonly users = new Map<FakeWebSocket, User>();
  private readonly calls = new Map<string, Call>();
  /** The latest resume token issued to each user. */
  private readonly tokens = new Map<string, string>();
  private issued = 0;

  constructor() {
    const handle = (socket: FakeWebSocket, frame: Frame): void => this.handle(socket, frame);
    this.WebSocket = class RelaySocket extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        queueMicrotask(() => this.open());
      }

      override send(data: string): void {
        super.send(data);
        setTimeout(() => handle(this, JSON.parse(data) as Frame), 0);
      }
    };
  }

  client(name: string): DuplexClient {
    const client = new DuplexClient({
      url: 'ws://relay.test/ws',
      name,
      WebSocket: this.WebSocket,
      reconnect: { initialDelayMs: 5, jitter: 0 },
    });
    client.connect();
    return client;
  }

  socketOf(userId: string): FakeWebSocket {
    const socket = this.sockets.get(userId);
    if (!socket) throw new Error(`no socket for ${userId}`);
    return socket;
  }

  /** Sends a frame to `userId` as the server would (e.g. a server-made `call.bye`). */
  deliver(to: string, event: string, data: Record<string, unknown>): void {
    this.delivered.push({ to, event, data });
    const send = (): void => this.sockets.get(to)?.receive({ event, data });
    if (this.holdIf?.(event, data, to)) this.held.push(send);
    else send();
  }

  release(): void {
    this.holdIf = null;
    for (const send of this.held.splice(0)) send();
  }

  /** Forgets every session, as after the grace period: a `resume` is then `resume_expired`. */
  expireSessions(): void {
    this.tokens.clear();
  }

  eventsFrom(userId: string, event: string): Record<string, unknown>[] {
    return this.received
      .filter((entry) => entry.from === userId && entry.event === event)
      .map((entry) => entry.data);
  }

  private handle(socket: FakeWebSocket, frame: Frame): void {
    if (socket.readyState !== 1) return;
    const decoded = decode(JSON.stringify(frame));
    if (!decoded.ok) {
      const { code, message, fields } = decoded.error;
      this.refused.push({ frame, code });
      return socket.fail(frame.id, code, message, fields);
    }
    if (frame.event === 'hello') return this.hello(socket, frame);
    const from = this.users.get(socket);
    if (!from) return socket.fail(frame.id, 'unauthenticated');
    this.received.push({ from: from.userId, event: frame.event, data: frame.data });
    const { data } = frame;
    const callId = String(data.callId);
    const call = this.calls.get(callId);
    const other = (c: Call): string => (c.caller === from.userId ? c.callee : c.caller);
    const inCall = (userId: string): boolean =>
      [...this.calls.values()].some((c) => c.caller === userId || c.callee === userId);

    switch (frame.event) {
      case 'ping':
        // Frames are handled in arrival order: its ack follows everything sent before it.
        return socket.ack(frame.id, { serverTime: new Date().toISOString() });
      case 'ice.refresh':
        return socket.ack(frame.id, { iceServers: this.iceServers });
      case 'call.invite': {
        const to = String(data.to);
        if (!this.sockets.has(to) || to === from.userId)
          return socket.fail(frame.id, 'peer_unavailable');
        if (inCall(from.userId) || inCall(to)) return socket.fail(frame.id, 'busy');
        const offered = data.sdp !== undefined && this.offersInInvites;
        this.calls.set(callId, { callId, caller: from.userId, callee: to, active: false, offered });
        this.deliver(to, 'call.invite', {
          callId,
          room: data.room,
          from,
          video: data.video,
          ...(offered && { sdp: data.sdp }),
        });
        return socket.ack(frame.id, {});
      }
    }
    if (!call || (call.caller !== from.userId && call.callee !== from.userId)) {
      return socket.fail(frame.id, 'not_in_call');
    }
    switch (frame.event) {
      case 'call.accept':
        if (call.callee !== from.userId || call.active) return socket.fail(frame.id, 'bad_state');
        // An answer without an offer to answer; the call stays ringing.
        if (data.sdp !== undefined && !call.offered) return socket.fail(frame.id, 'bad_state');
        call.active = true;
        this.deliver(call.caller, 'call.accept', {
          callId,
          from,
          ...(data.sdp !== undefined && { sdp: data.sdp }),
        });
        break;
      case 'call.decline':
        if (call.callee !== from.userId || call.active) return socket.fail(frame.id, 'bad_state');
        this.calls.delete(callId);
        this.deliver(call.caller, 'call.decline', {
          callId,
          from,
          reason: data.reason ?? 'declined',
        });
        break;
      case 'call.bye':
        this.calls.delete(callId);
        this.deliver(other(call), 'call.bye', { callId, from, reason: data.reason ?? 'hangup' });
        break;
      case 'call.offer':
      case 'call.answer':
      case 'call.candidate':
      case 'call.media':
        if (!call.active) return socket.fail(frame.id, 'bad_state');
        this.deliver(other(call), frame.event, { ...data, from });
        break;
      default:
        return socket.fail(frame.id, 'unknown_event');
    }
    socket.ack(frame.id, {});
  }

  private hello(socket: FakeWebSocket, frame: Frame): void {
    const name = String(frame.data.name).trim();
    const userId = `u-${name.toLowerCase()}`;
    const presented = frame.data.resume;
    const resumed = typeof presented === 'string' && presented === this.tokens.get(userId);
    if (typeof presented === 'string' && !resumed) return socket.fail(frame.id, 'resume_expired');
    if (!resumed) {
      // A new session: the calls of an earlier one ended with it.
      for (const [callId, call] of this.calls)
        if (call.caller === userId || call.callee === userId) this.calls.delete(callId);
    }
    const user = { userId, name };
    this.users.set(socket, user);
    this.sockets.set(userId, socket);
    const resume = `resume-${userId}-${++this.issued}`;
    this.tokens.set(userId, resume);
    socket.ack(frame.id, {
      userId,
      name,
      identity: `identity-${userId}`,
      resume,
      resumed,
      rooms: [],
      iceServers: this.iceServers,
      limits: { ...DEFAULT_LIMITS },
      serverTime: new Date().toISOString(),
    });
  }
}
