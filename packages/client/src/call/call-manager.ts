import { DEFAULT_TIMEOUTS, type ServerEventData, type User } from '@duplex/protocol';
import type { CallLink } from './call-link.js';
import {
  CallSession,
  type CallServerEvent,
  type CallSessionConfig,
  type CallSessionInit,
} from './call-session.js';
import { MediaPermissionWatch, type MediaPermissionCheck } from './media-permission.js';
import { resolveGetUserMedia, resolveMediaStream } from './rtc-defaults.js';
import type {
  GetUserMedia,
  MediaStreamConstructor,
  PeerConnectionConstructor,
  RtcConfigurationLike,
} from './rtc-types.js';

export interface CallManagerOptions {
  /** Defaults to `globalThis.RTCPeerConnection`, looked up when a call needs it. */
  RTCPeerConnection?: PeerConnectionConstructor;
  /** Defaults to `navigator.mediaDevices.getUserMedia`. */
  getUserMedia?: GetUserMedia;
  /**
   * Whether camera and microphone are already allowed. When they are, the invite (caller) or
   * the accept (callee) goes out while they open; otherwise they are opened first, so that
   * nobody is rung or connected while a permission prompt is up. Defaults to a
   * {@link MediaPermissionWatch} (the Permissions API; `false` where it cannot tell).
   */
  mediaPermitted?: MediaPermissionCheck;
  /** Builds the remote stream when a track comes without one; defaults to `globalThis.MediaStream`. */
  MediaStream?: MediaStreamConstructor;
  /**
   * Merged over `{ iceServers: client.session.iceServers }` (plus `iceCandidatePoolSize: 1` for
   * the caller, whose candidates, TURN allocations too, are then gathered while the call
   * rings), e.g. `{ iceTransportPolicy: 'relay' }`.
   */
  rtcConfig?: RtcConfigurationLike;
  /** Stats sampling period; default 1000, 0 turns sampling off. */
  statsIntervalMs?: number;
  /** How long an ended call stays `current` (to show why it ended); default 3000. */
  endedCallRetentionMs?: number;
  /** How long ICE may stay `disconnected` before the impolite side restarts it; default 3000. */
  disconnectedTimeoutMs?: number;
  /** ICE restarts after `failed` before the call ends with `failed`; default 3. */
  maxIceRestarts?: number;
  /**
   * Callee: after the connection failed, how long to wait for the caller's ICE-restart offer
   * before restarting itself; default the protocol's 5000.
   */
  calleeIceRestartWaitMs?: number;
  /**
   * How long after the accept the media may take to connect; then the call ends with
   * `call.bye` reason `failed` and the end state `media-timeout`. Default the protocol's 20000.
   */
  mediaConnectTimeoutMs?: number;
  /** `ice.refresh` before an ICE restart when TURN credentials expire within this; default 60000. */
  turnRefreshMarginMs?: number;
  /** Call ids for outgoing calls; `crypto.randomUUID()` by default. */
  createCallId?: () => string;
  /** Negotiation and signalling failures that do not end the call; `console.warn` by default. */
  onError?: (error: unknown) => void;
  /** Whatever a subscriber throws; `console.error` by default. */
  onListenerError?: (error: unknown) => void;
}

export interface CallOptions {
  video: boolean;
}

const ROUTED_EVENTS = [
  'call.accept',
  'call.decline',
  'call.offer',
  'call.answer',
  'call.candidate',
  'call.bye',
  'call.media',
] as const;

/**
 * The calls of one `DuplexClient`: places outgoing calls, turns incoming `call.invite`s into
 * sessions, and routes `call.*` frames to their session by `callId`. At most one call at a time
 * is `current`; an ended call stays `current` for `endedCallRetentionMs`.
 */
export class CallManager {
  private currentSession: CallSession | null = null;
  private outgoing: CallSession | null = null;
  private readonly sessions = new Map<string, CallSession>();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly config: CallSessionConfig;
  private readonly retentionMs: number;
  private readonly createCallId: () => string;
  private clearTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly permissionWatch: MediaPermissionWatch | null;
  private disposed = false;

  constructor(
    private readonly client: CallLink,
    options: CallManagerOptions = {},
  ) {
    const onListenerError = options.onListenerError ?? ((error: unknown) => console.error(error));
    this.permissionWatch = options.mediaPermitted ? null : new MediaPermissionWatch();
    const permissionWatch = this.permissionWatch;
    this.config = {
      link: client,
      RTCPeerConnection: options.RTCPeerConnection,
      getUserMedia: resolveGetUserMedia(options.getUserMedia),
      mediaPermitted:
        options.mediaPermitted ?? ((video) => permissionWatch?.permitted(video) ?? false),
      MediaStream: resolveMediaStream(options.MediaStream),
      rtcConfig: { ...options.rtcConfig },
      statsIntervalMs: options.statsIntervalMs ?? 1000,
      disconnectedTimeoutMs: options.disconnectedTimeoutMs ?? 3000,
      maxIceRestarts: options.maxIceRestarts ?? 3,
      calleeIceRestartWaitMs:
        options.calleeIceRestartWaitMs ?? DEFAULT_TIMEOUTS.calleeIceRestartWaitMs,
      mediaConnectTimeoutMs:
        options.mediaConnectTimeoutMs ?? DEFAULT_TIMEOUTS.mediaConnectTimeoutMs,
      turnRefreshMarginMs: options.turnRefreshMarginMs ?? 60_000,
      onError: options.onError ?? ((error: unknown) => console.warn('[duplex call]', error)),
      onListenerError,
      now: () => Date.now(),
    };
    this.retentionMs = options.endedCallRetentionMs ?? 3000;
    this.createCallId = options.createCallId ?? (() => globalThis.crypto.randomUUID());

    this.unsubscribes.push(client.on('call.invite', (data) => this.invited(data)));
    for (const event of ROUTED_EVENTS) {
      this.unsubscribes.push(
        client.on(event, (data: ServerEventData<typeof event>) =>
          this.sessions.get(data.callId)?.handleServerEvent({ event, data } as CallServerEvent),
        ),
      );
    }
    this.unsubscribes.push(
      client.on('state', (state) => {
        for (const session of [...this.sessions.values()]) session.handleConnectionState(state);
      }),
    );
  }

  /** The call the UI shows: ringing, active, or ended a moment ago; `null` when none. */
  get current(): CallSession | null {
    return this.currentSession;
  }

  /** `listener` runs when `current` changes; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    const entry = (): void => listener();
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  getSnapshot(): CallSession | null {
    return this.currentSession;
  }

  /**
   * Calls `to` (a member of `room`): opens camera and microphone and sends `call.invite` (at
   * once when the media are already allowed, else once they are open). Resolves with the
   * session once the server delivered the invite and the media are open: ringing, or further
   * along if the callee was quicker. Rejects,
   * leaving no session, with a `CallMediaError` or the invite's `RequestError` (`busy`,
   * `peer_unavailable`...).
   */
  async call(to: User | string, room: string, options: CallOptions): Promise<CallSession> {
    if (this.disposed) throw new Error('The CallManager was disposed');
    if (
      this.outgoing ||
      (this.currentSession && this.currentSession.getSnapshot().phase !== 'ended')
    ) {
      const error = new Error('Already in a call');
      error.name = 'InvalidStateError';
      throw error;
    }
    const peer = typeof to === 'string' ? this.findUser(to, room) : to;
    const session = this.track({
      callId: this.createCallId(),
      role: 'caller',
      peer,
      room,
      video: options.video,
    });
    this.outgoing = session;
    try {
      await session.startOutgoing(peer.userId);
    } catch (error) {
      this.sessions.delete(session.callId);
      throw error;
    } finally {
      this.outgoing = null;
    }
    if (!this.disposed) this.publish(session);
    return session;
  }

  /** Hangs up any call, stops listening to the client and forgets every subscriber. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.permissionWatch?.dispose();
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const session of [...this.sessions.values()]) void session.hangUp();
    this.sessions.clear();
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = null;
    this.currentSession = null;
    this.listeners.clear();
  }

  private invited(data: ServerEventData<'call.invite'>): void {
    if (this.disposed || this.sessions.has(data.callId)) return;
    // The server answers `busy` to a second caller; an invite while in a live call is stale.
    if (this.currentSession && this.currentSession.getSnapshot().phase !== 'ended') return;
    const session = this.track({
      callId: data.callId,
      role: 'callee',
      peer: data.from,
      room: data.room,
      video: data.video,
      ...(data.sdp !== undefined && { offer: data.sdp }),
    });
    this.publish(session);
    // After the ringing prompt is up: building a peer connection blocks the page for a few
    // milliseconds. Accepting before then builds it as it accepts.
    setTimeout(() => session.prepareIncoming(), 0);
  }

  private track(init: CallSessionInit): CallSession {
    const session = new CallSession(init, this.config);
    this.sessions.set(init.callId, session);
    session.onEnded(() => {
      this.sessions.delete(init.callId);
      if (this.currentSession === session) this.scheduleClear(session);
    });
    return session;
  }

  private publish(session: CallSession): void {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = null;
    this.currentSession = session;
    if (session.getSnapshot().phase === 'ended') this.scheduleClear(session);
    this.notify();
  }

  private scheduleClear(session: CallSession): void {
    if (this.clearTimer) clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => {
      this.clearTimer = null;
      if (this.currentSession !== session) return;
      this.currentSession = null;
      this.notify();
    }, this.retentionMs);
  }

  private findUser(userId: string, room: string): User {
    const member = this.client
      .room?.(room)
      ?.getSnapshot()
      .members.find((user) => user.userId === userId);
    return member ?? { userId, name: userId };
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.config.onListenerError(error);
      }
    }
  }
}
