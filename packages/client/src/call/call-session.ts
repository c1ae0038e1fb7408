import {
  CallEndReason,
  type AckData,
  type ClientEventInput,
  type IceCandidate,
  type ServerEventData,
  type User,
} from '@duplex/protocol';
import type { ConnectionState } from '../connection-state.js';
import type { CallLink } from './call-link.js';
import { ConnectionWatch } from './connection-watch.js';
import type { MediaPermissionCheck } from './media-permission.js';
import {
  describeMediaError,
  hasLiveVideo,
  openCamera,
  openLocalMedia,
  removeVideoTracks,
  setAudioEnabled,
  stopStream,
  type MediaErrorInfo,
} from './local-media.js';
import { MediaAnnouncer } from './media-announcer.js';
import { PerfectNegotiation } from './perfect-negotiation.js';
import { RemoteMedia } from './remote-media.js';
import { resolvePeerConnection } from './rtc-defaults.js';
import type {
  GetUserMedia,
  MediaStreamConstructor,
  MediaStreamLike,
  PeerConnectionConstructor,
  PeerConnectionLike,
  PeerConnectionState,
  RtcConfigurationLike,
  RtpSenderLike,
} from './rtc-types.js';
import { SnapshotStore } from './snapshot-store.js';
import { StatsSampler } from './stats-sampler.js';
import { turnCredentialsExpiring } from './turn-credentials.js';
import {
  CallEndState,
  MEDIA_ERROR_REASON,
  type CallPhase,
  type CallRole,
  type CallSnapshot,
  type MediaState,
} from './types.js';

/** Everything a session needs besides its own identity; the `CallManager` builds it. */
export interface CallSessionConfig {
  link: CallLink;
  RTCPeerConnection: PeerConnectionConstructor | undefined;
  getUserMedia: GetUserMedia;
  mediaPermitted: MediaPermissionCheck;
  MediaStream: MediaStreamConstructor | undefined;
  rtcConfig: RtcConfigurationLike;
  statsIntervalMs: number;
  disconnectedTimeoutMs: number;
  maxIceRestarts: number;
  /** Callee: after the connection failed, how long to wait for the caller's restart offer. */
  calleeIceRestartWaitMs: number;
  /** How long after the accept the media may take to connect before the call ends `failed`. */
  mediaConnectTimeoutMs: number;
  /** Renew TURN credentials (`ice.refresh`) before an ICE restart when they expire within this. */
  turnRefreshMarginMs: number;
  onError: (error: unknown) => void;
  onListenerError: (error: unknown) => void;
  now: () => number;
}

export interface CallSessionInit {
  callId: string;
  role: CallRole;
  peer: User;
  room: string;
  video: boolean;
  /** Callee: the caller's offer, when the invite carried one. */
  offer?: string;
}

/** Server events routed to a session by `callId`. */
export type CallServerEvent =
  | { event: 'call.accept'; data: ServerEventData<'call.accept'> }
  | { event: 'call.decline'; data: ServerEventData<'call.decline'> }
  | { event: 'call.offer'; data: ServerEventData<'call.offer'> }
  | { event: 'call.answer'; data: ServerEventData<'call.answer'> }
  | { event: 'call.candidate'; data: ServerEventData<'call.candidate'> }
  | { event: 'call.bye'; data: ServerEventData<'call.bye'> }
  | { event: 'call.media'; data: ServerEventData<'call.media'> };

const ACTIVE_PHASES: ReadonlySet<CallPhase> = new Set(['connecting', 'connected', 'reconnecting']);

type SignalEvent =
  'call.offer' | 'call.answer' | 'call.candidate' | 'call.decline' | 'call.bye' | 'call.media';
type NegotiationEvent = 'call.offer' | 'call.answer' | 'call.candidate';
type HeldSignal = {
  [E in NegotiationEvent]: { event: E; data: ClientEventInput<E> };
}[NegotiationEvent];

const ignore = (): void => {};

/** An `Error` for a failure described as {@link MediaErrorInfo} (same name and message). */
function errorFrom(info: MediaErrorInfo): Error {
  return Object.assign(new Error(info.message), { name: info.name });
}

/** A `call.bye` reason from the peer, as this side's end state; other reasons are kept as given. */
const REMOTE_END_STATES: ReadonlyMap<string, CallEndState> = new Map<string, CallEndState>([
  [CallEndReason.Hangup, CallEndState.RemoteHangup],
  [MEDIA_ERROR_REASON, CallEndState.RemoteMediaError],
]);

/** This side's microphone and camera, as `call.media` announces them. */
function localMediaOf(snapshot: CallSnapshot): MediaState {
  return { audio: !snapshot.muted, video: snapshot.video };
}

/**
 * One 1:1 call: local media, the peer connection negotiated with the perfect-negotiation
 * pattern (the caller impolite, the callee polite), ICE recovery and stats, as an immutable
 * {@link CallSnapshot} for any UI. Created by a {@link CallManager}.
 */
export class CallSession {
  readonly callId: string;
  private readonly store: SnapshotStore<CallSnapshot>;
  private readonly remote: RemoteMedia;
  private readonly announcer: MediaAnnouncer;
  private pc: PeerConnectionLike | null = null;
  private negotiation: PerfectNegotiation | null = null;
  private watch: ConnectionWatch | null = null;
  private sampler: StatsSampler | null = null;
  private localStream: MediaStreamLike | null = null;
  /** This side's senders by kind (`audio`, `video`): ready before the media are open. */
  private readonly senders = new Map<string, RtpSenderLike>();
  /** Caller: once its sending transceivers exist; callee: once its first answer chose what it sends. */
  private canSend = false;
  private sendStream: MediaStreamLike | null = null;
  private tracksAttached = false;
  private accepting = false;
  private signallingLost = false;
  private videoChanges: Promise<void> = Promise.resolve();
  private readonly earlyCandidates: IceCandidate[] = [];
  /**
   * Signals made before the accept, sent once it is: the caller's offer (unless the callee
   * answered the invite's copy) and candidates; the callee's candidates of an early answer.
   */
  private heldUntilAccepted: HeldSignal[] | null = null;
  private readonly endListeners = new Set<() => void>();
  /** While answering: remote media changes and the local tracks wait (see `answering`). */
  private answeringOffer = false;
  private remotePending = false;
  /** Offers taken from the peer: any after the callee's first restart ICE or renegotiate. */
  private remoteOffers = 0;
  /** The caller's first offer as the invite carried it (sent, or received), if it did. */
  private offerInInvite: string | null;
  /** Callee: the invite's offer was handed to the negotiation (applied while ringing). */
  private offerTaken = false;

  /** @internal Made by `CallManager`. */
  constructor(
    init: CallSessionInit,
    private readonly config: CallSessionConfig,
  ) {
    this.callId = init.callId;
    this.offerInInvite = init.offer ?? null;
    this.store = new SnapshotStore<CallSnapshot>(
      {
        callId: init.callId,
        phase: init.role === 'callee' ? 'ringing-in' : 'idle',
        role: init.role,
        peer: init.peer,
        room: init.room,
        video: init.video,
        remoteVideo: false,
        remoteMedia: null,
        muted: false,
        localStream: null,
        remoteStream: null,
        startedAt: null,
        endReason: null,
        error: null,
        stats: null,
      },
      config.onListenerError,
    );
    this.remote = new RemoteMedia(config.MediaStream, () => this.publishRemote());
    this.announcer = new MediaAnnouncer(
      (state) => void this.signal('call.media', { callId: this.callId, ...state }),
    );
    this.store.subscribe(() => this.announcer.update(localMediaOf(this.store.get())));
  }

  /** `listener` runs after every change of the snapshot; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    return this.store.subscribe(listener);
  }

  /** The current snapshot: the same object until something changes. */
  getSnapshot(): CallSnapshot {
    return this.store.get();
  }

  /**
   * The peer connection (closed once the call ended): the caller's from its invite on, the
   * callee's from the invite it received; `null` before.
   */
  getPeerConnection(): PeerConnectionLike | null {
    return this.pc;
  }

  private get phase(): CallPhase {
    return this.store.get().phase;
  }

  private get ended(): boolean {
    return this.phase === 'ended';
  }

  /**
   * Callee: opens camera and microphone and accepts (at once when the media are already
   * allowed, else once they are open), then announces its media (`call.media`). When the
   * invite carried the caller's offer, the accept carries the answer to it; else this side
   * waits for the caller's first offer (it never makes it). The answer does not wait for the
   * media: it sends on the offer's transceivers, whose tracks are put in when they open. A
   * media failure declines the call, or hangs it up if it was accepted already, with reason
   * `media-error`, ends it with `error` set, and rejects with a {@link CallMediaError}.
   */
  async accept(): Promise<void> {
    if (this.phase !== 'ringing-in' || this.accepting) return;
    this.accepting = true;
    const media = this.openMedia();
    if (!(await this.mediaAlreadyAllowed(media))) {
      try {
        await media;
      } catch (error) {
        if (this.ended) return; // the caller gave up meanwhile
        void this.signal('call.decline', { callId: this.callId, reason: MEDIA_ERROR_REASON });
        this.finish(CallEndState.MediaError, describeMediaError(error));
        throw error;
      }
    }
    if (this.ended) return;
    const withAnswer = await this.acceptWithAnswer();
    if (this.ended) return;
    // Without an answer to carry, a peer connection not built while ringing is built while the
    // accept travels.
    const accepted = withAnswer?.accepted ?? this.sendAccept();
    const pcError = this.openPeerConnection();
    if (pcError) {
      accepted.catch(ignore);
      await this.endAndSay(CallEndState.Failed, CallEndReason.Failed, pcError);
      throw errorFrom(pcError);
    }
    this.store.update({ phase: 'connecting' });
    this.becameActive();
    const [opened, acked] = await Promise.allSettled([media, accepted]);
    if (opened.status === 'rejected') {
      if (this.ended) return;
      await this.endAndSay(
        CallEndState.MediaError,
        MEDIA_ERROR_REASON,
        describeMediaError(opened.reason),
      );
      throw opened.reason;
    }
    if (acked.status === 'rejected' && !this.ended) {
      this.config.onError(acked.reason); // e.g. the caller's bye came first: then ended already
      await this.endAndSay(CallEndState.Failed);
    }
  }

  /** Callee: declines a ringing call (`reason` defaults to `declined` on the server). */
  async decline(reason?: string): Promise<void> {
    if (this.phase !== 'ringing-in') return;
    const sent = this.signal('call.decline', {
      callId: this.callId,
      ...(reason !== undefined && { reason }),
    });
    this.finish(reason ?? CallEndState.Declined);
    await sent;
  }

  /** Either side, ringing or active: sends `call.bye`, closes the connection, stops the local tracks. */
  async hangUp(reason?: string): Promise<void> {
    if (this.ended) return;
    await this.endAndSay(reason ?? CallEndState.Hangup, reason);
  }

  /**
   * Mutes or unmutes the microphone: the audio track keeps sending, silence. Once accepted, the
   * peer is told (`call.media`).
   */
  setMuted(muted: boolean): void {
    if (this.ended) return;
    setAudioEnabled(this.localStream, !muted);
    this.store.update({ muted });
  }

  /**
   * Turns the camera on or off (the peer is told with `call.media` once the call is accepted,
   * when the camera is on or off). Off stops the camera track and sends nothing on the video
   * sender. On reuses that sender (`replaceTrack`), or adds a video track to an audio-only call,
   * which renegotiates through `negotiationneeded`. Before the call has media it only sets
   * what `accept()` will ask for. Rejects with a {@link CallMediaError} (also put in `error`)
   * when the camera cannot be opened.
   */
  setVideo(enabled: boolean): Promise<void> {
    // Off at once: media still opening must not send a frame (see openMedia).
    if (!enabled && !this.ended) this.store.update({ video: false });
    const change = this.videoChanges.then(() => this.applyVideo(enabled));
    this.videoChanges = change.catch(ignore);
    return change;
  }

  /** Adds a callback run once when the call ends; returns its removal. @internal */
  onEnded(listener: () => void): () => void {
    this.endListeners.add(listener);
    return () => {
      this.endListeners.delete(listener);
    };
  }

  /**
   * Caller: opens the media, builds the peer connection and makes the offer on sending
   * transceivers (the tracks are put in when the media open), and sends `call.invite` with the
   * offer (at once when the media are already allowed, else once they are open). The offer's
   * candidates are held until the callee accepts (the server relays nothing before that), and
   * so is the offer, sent as `call.offer` if the accept does not carry the answer.
   * Resolves once the invite is acked and the media are open: phase `ringing-out`, or further
   * along if the callee was quicker, or `ended` if the call ended meanwhile. Rejects with a
   * {@link CallMediaError}, the invite's `RequestError`, or the peer connection's error; the
   * session ended.
   * @internal Used by `CallManager.call`.
   */
  async startOutgoing(to: string): Promise<void> {
    const { video, room } = this.store.get();
    this.heldUntilAccepted = [];
    const media = this.openMedia();
    if (!(await this.mediaAlreadyAllowed(media))) {
      try {
        await media;
      } catch (error) {
        if (this.ended) return;
        this.finish(CallEndState.MediaError, describeMediaError(error));
        throw error;
      }
    }
    if (this.ended) return;
    const pcError = this.openPeerConnection();
    if (pcError) {
      this.finish(CallEndState.Failed, pcError); // nobody was rung
      throw errorFrom(pcError);
    }
    this.addSendingTransceivers(video);
    // The offer rings with the invite, so that the callee can answer it as it accepts.
    await this.negotiation?.offerNow();
    if (this.ended) return;
    const offer = this.pc?.localDescription;
    this.offerInInvite = offer?.type === 'offer' && offer.sdp ? offer.sdp : null;
    const invite = this.config.link.request('call.invite', {
      callId: this.callId,
      to,
      room,
      video,
      ...(this.offerInInvite !== null && { sdp: this.offerInInvite }),
    });
    const [opened, invited] = await Promise.allSettled([media, invite]);
    if (invited.status === 'rejected') {
      const code = (invited.reason as { code?: unknown }).code;
      this.finish(typeof code === 'string' ? code : CallEndState.Failed);
      throw invited.reason;
    }
    if (opened.status === 'rejected') {
      if (this.ended) return; // declined or cancelled meanwhile: that is how it ended
      // The callee's phone already rings: tell it why it stops.
      await this.endAndSay(
        CallEndState.MediaError,
        MEDIA_ERROR_REASON,
        describeMediaError(opened.reason),
      );
      throw opened.reason;
    }
    if (this.phase === 'idle') this.store.update({ phase: 'ringing-out' });
  }

  /**
   * Callee, while ringing: builds the peer connection and applies the offer the invite carried
   * (which gathers nothing and tells the caller nothing), so that the answer waits for
   * neither. A failure is reported by `accept()`.
   * @internal Used by `CallManager`.
   */
  prepareIncoming(): void {
    if (this.phase === 'ringing-in') this.takeOfferInInvite();
  }

  /** A `call.*` frame about this call. @internal Routed by `CallManager`. */
  handleServerEvent(message: CallServerEvent): void {
    if (this.ended) return;
    switch (message.event) {
      case 'call.accept':
        this.accepted(message.data.sdp);
        break;
      case 'call.decline':
        this.finish(CallEndState.Declined);
        break;
      case 'call.bye':
        // `answered_elsewhere` (another session of this user took the call) is kept as is: the
        // prompt ends quietly, not as a missed call.
        this.finish(REMOTE_END_STATES.get(message.data.reason) ?? message.data.reason);
        break;
      case 'call.media':
        this.remoteMediaAnnounced(message.data);
        break;
      case 'call.offer':
        void this.negotiation?.handleOffer(message.data.sdp);
        break;
      case 'call.answer':
        void this.negotiation?.handleAnswer(message.data.sdp);
        break;
      case 'call.candidate':
        if (this.negotiation) void this.negotiation.handleCandidate(message.data.candidate);
        else this.earlyCandidates.push(message.data.candidate);
        break;
    }
  }

  /**
   * The `DuplexClient`'s state. Back `ready` with the session resumed, an active call restarts
   * ICE (what the peer sent meanwhile was dropped); with a new session the call is gone.
   * @internal
   */
  handleConnectionState(state: ConnectionState): void {
    if (this.ended) return;
    if (state === 'closed') {
      this.finish(CallEndState.Failed, {
        name: 'ConnectionClosed',
        message: 'The signalling connection was closed',
      });
      return;
    }
    if (state !== 'ready') {
      this.signallingLost = true;
      return;
    }
    if (!this.signallingLost) return;
    this.signallingLost = false;
    if (this.config.link.session?.resumed !== true) {
      // A new session, not a resume: the server has ended this call.
      this.finish(CallEndState.Failed, {
        name: 'SessionLost',
        message: 'The signalling session could not be resumed',
      });
      return;
    }
    if (!ACTIVE_PHASES.has(this.phase)) return;
    // What this side announced while the connection was down may have been lost with it.
    this.announcer.repeat(localMediaOf(this.store.get()));
    void this.restartIce();
  }

  /**
   * Caller: the callee accepted, with the answer to the invite's offer or without; send the
   * offer (if it was not answered) and the candidates held until now.
   */
  private accepted(answer: string | undefined): void {
    if (
      this.store.get().role !== 'caller' ||
      (this.phase !== 'ringing-out' && this.phase !== 'idle')
    )
      return;
    // One offer at most is held: a change of media while ringing (video switched on) waits for
    // the answer, as `negotiationneeded` fires only in the stable state.
    if (answer !== undefined) void this.negotiation?.handleAnswer(answer);
    this.releaseHeld(answer === undefined);
    this.store.update({ phase: 'connecting' });
    this.becameActive();
  }

  /** Accepted: this side's media state goes out, and the media have a while to connect. */
  private becameActive(): void {
    this.announcer.start(localMediaOf(this.store.get()));
    this.watch?.expectConnection(this.config.mediaConnectTimeoutMs, () => {
      if (!this.ended) void this.endAndSay(CallEndState.MediaTimeout, CallEndReason.Failed);
    });
  }

  /**
   * The peer restarts ICE after its session resumed, when what was sent to it meanwhile was
   * dropped: this side's media state is announced again with every offer but the first.
   */
  private remoteOfferArrived(): void {
    this.watch?.remoteOfferArrived();
    const firstOffer = this.remoteOffers === 0 && this.store.get().role === 'callee';
    this.remoteOffers++;
    if (!firstOffer) this.announcer.repeat(localMediaOf(this.store.get()));
  }

  private remoteMediaAnnounced({ audio, video }: MediaState): void {
    const current = this.store.get().remoteMedia;
    if (current?.audio === audio && current.video === video) return;
    this.store.update({ remoteMedia: Object.freeze({ audio, video }) });
  }

  /**
   * Opens camera and microphone (`video` as the snapshot says), puts them in the snapshot and
   * on this side's senders once there are any. Rejects with a {@link CallMediaError}.
   */
  private openMedia(): Promise<void> {
    const opening = openLocalMedia(this.config.getUserMedia, this.store.get().video).then(
      (stream) => {
        if (this.ended) {
          stopStream(stream); // given up meanwhile
          return;
        }
        if (!this.store.get().video) removeVideoTracks(stream); // switched off while opening
        this.useLocalStream(stream);
        this.attachLocalTracks();
      },
    );
    // A camera switched on or off meanwhile applies to the opened media.
    this.videoChanges = this.videoChanges.then(() => opening.catch(ignore));
    return opening;
  }

  /**
   * Whether signalling may go out while the media open: they are already allowed (no
   * permission prompt can come) and have not failed already. A failing check counts as no.
   */
  private async mediaAlreadyAllowed(media: Promise<void>): Promise<boolean> {
    let failed = false;
    media.catch(() => {
      failed = true;
    });
    const allowed = await Promise.resolve()
      .then(() => this.config.mediaPermitted(this.store.get().video))
      .catch(() => false);
    return allowed && !failed;
  }

  /** The stream this side's senders name (one stream, so that the peer plays them in sync). */
  private sendStreams(): MediaStreamLike[] {
    this.sendStream ??= this.config.MediaStream ? new this.config.MediaStream() : null;
    return this.sendStream ? [this.sendStream] : [];
  }

  /** Builds the peer connection unless there is one; the error, described, when the browser cannot. */
  private openPeerConnection(): MediaErrorInfo | null {
    if (this.pc) return null;
    let pc: PeerConnectionLike;
    try {
      const PeerConnection = resolvePeerConnection(this.config.RTCPeerConnection);
      pc = new PeerConnection({
        iceServers: this.config.link.session?.iceServers ?? [],
        // Chromium pools candidates for offers only: the caller's, gathered while it rings.
        ...(this.store.get().role === 'caller' && { iceCandidatePoolSize: 1 }),
        ...this.config.rtcConfig,
      });
    } catch (error) {
      this.config.onError(error);
      return describeMediaError(error);
    }
    this.pc = pc;
    const { callId } = this;
    const callee = this.store.get().role === 'callee';
    this.negotiation = new PerfectNegotiation(pc, {
      polite: callee,
      awaitFirstOffer: callee, // the caller sends the first offer
      offerArrived: () => this.remoteOfferArrived(),
      signals: {
        offer: (sdp) => this.negotiationSignal({ event: 'call.offer', data: { callId, sdp } }),
        answer: (sdp) => this.negotiationSignal({ event: 'call.answer', data: { callId, sdp } }),
        candidate: (candidate) =>
          this.negotiationSignal({ event: 'call.candidate', data: { callId, candidate } }),
      },
      beforeAnswer: () => this.sendOnOfferedTransceivers(),
      answering: (active) => this.answering(active),
      onError: this.config.onError,
    });
    pc.ontrack = (event) => this.remote.handleTrack(event);
    this.watch = new ConnectionWatch(pc, {
      polite: callee,
      disconnectedTimeoutMs: this.config.disconnectedTimeoutMs,
      politeRestartWaitMs: this.config.calleeIceRestartWaitMs,
      maxIceRestarts: this.config.maxIceRestarts,
      restart: () => void this.restartIce(),
      giveUp: () => void this.endAndSay(CallEndState.Failed, CallEndReason.Failed),
      onState: (state) => this.connectionStateChanged(state),
    });
    this.sampler = new StatsSampler(pc, this.config.statsIntervalMs, (stats) => {
      if (stats.receivingVideo !== null) this.remote.setVideoFlowing(stats.receivingVideo);
      this.store.update({ stats });
    });
    for (const candidate of this.earlyCandidates.splice(0))
      void this.negotiation.handleCandidate(candidate);
    return null;
  }

  /**
   * Caller: one sending transceiver per kind, so that the offer can be made (and its
   * candidates gathered) before the media are open; their tracks are put in when they are.
   */
  private addSendingTransceivers(video: boolean): void {
    const { pc } = this;
    if (!pc) return;
    for (const kind of video ? (['audio', 'video'] as const) : (['audio'] as const))
      this.senders.set(
        kind,
        pc.addTransceiver(kind, { direction: 'sendrecv', streams: this.sendStreams() }).sender,
      );
    this.canSend = true;
    this.attachLocalTracks(); // media opened first (a permission prompt) are there already
  }

  /**
   * Callee, answering the first offer: sends on the transceivers that offer made (audio, and
   * video unless the call was accepted without it), so that the answer does not wait for the
   * media: their tracks are put in when they are open.
   */
  private sendOnOfferedTransceivers(): void {
    const { pc } = this;
    if (this.canSend || !pc) return;
    this.canSend = true;
    const kinds = new Set(this.store.get().video ? ['audio', 'video'] : ['audio']);
    for (const transceiver of pc.getTransceivers()) {
      const { kind } = transceiver.receiver.track;
      if (!kinds.has(kind) || this.senders.has(kind)) continue;
      transceiver.direction = 'sendrecv';
      transceiver.sender.setStreams?.(...this.sendStreams());
      this.senders.set(kind, transceiver.sender);
    }
  }

  /**
   * While this side makes an answer, the other side waits for it: what the page would do on
   * a remote track (the UI loads it into media elements, which costs the main thread several
   * milliseconds) and putting in the local tracks (`replaceTrack` queues ahead of the answer
   * in the browser) wait until the answer is out.
   */
  private answering(active: boolean): void {
    this.answeringOffer = active;
    if (active || this.ended) return;
    this.attachLocalTracks();
    if (this.remotePending) this.publishRemote();
  }

  /** Callee: builds the peer connection and hands it the invite's offer, once. */
  private takeOfferInInvite(): void {
    if (this.openPeerConnection() || this.offerTaken || this.offerInInvite === null) return;
    this.offerTaken = true;
    void this.negotiation?.takeOffer(this.offerInInvite);
  }

  /**
   * Callee, accepting: answers the invite's offer and sends the accept with the answer as soon
   * as it is made, its candidates behind it. Resolves with the accept's request (not its ack),
   * or `null` when the invite carried no offer, it could not be answered (then the caller sends
   * it as `call.offer`), or the call ended meanwhile.
   */
  private async acceptWithAnswer(): Promise<{
    accepted: Promise<AckData<'call.accept'>>;
  } | null> {
    if (this.offerInInvite === null) return null;
    this.takeOfferInInvite();
    const { negotiation } = this;
    if (!negotiation) return null;
    this.heldUntilAccepted = [];
    let sent: { accepted: Promise<AckData<'call.accept'>> } | null = null;
    await negotiation.answerHeldOffer((answer) => {
      if (!this.ended) sent = { accepted: this.sendAccept(answer) };
    });
    return sent;
  }

  /** Callee: `call.accept` (with the answer to the invite's offer, if any), then what was held. */
  private sendAccept(answer?: string): Promise<AckData<'call.accept'>> {
    const accepted = this.config.link.request('call.accept', {
      callId: this.callId,
      ...(answer !== undefined && { sdp: answer }),
    });
    this.releaseHeld(true); // the answer's candidates, behind the accept
    return accepted;
  }

  private publishRemote(): void {
    this.remotePending = this.answeringOffer;
    if (this.answeringOffer || this.ended) return;
    this.store.update({ remoteStream: this.remote.stream, remoteVideo: this.remote.hasVideo });
  }

  /** Puts the local tracks on this side's senders (adds a track where there is no sender). */
  private attachLocalTracks(): void {
    const { pc, localStream } = this;
    if (this.tracksAttached || this.answeringOffer || !this.canSend || !pc || !localStream) return;
    this.tracksAttached = true;
    for (const track of localStream.getTracks()) {
      const sender = this.senders.get(track.kind);
      if (sender) sender.replaceTrack(track).catch(this.config.onError);
      else this.senders.set(track.kind, pc.addTrack(track, ...this.sendStreams()));
    }
  }

  private connectionStateChanged(state: PeerConnectionState): void {
    if (this.ended) return;
    if (state === 'connected') {
      this.store.update({
        phase: 'connected',
        startedAt: this.store.get().startedAt ?? this.config.now(),
      });
      this.sampler?.start();
    } else if ((state === 'disconnected' || state === 'failed') && ACTIVE_PHASES.has(this.phase)) {
      this.store.update({ phase: 'reconnecting' });
    }
  }

  private async restartIce(): Promise<void> {
    const { pc, negotiation } = this;
    if (!pc || !negotiation?.mayOffer || this.ended) return;
    const iceServers = this.config.link.session?.iceServers ?? [];
    if (
      !this.config.rtcConfig.iceServers &&
      turnCredentialsExpiring(iceServers, this.config.now(), this.config.turnRefreshMarginMs)
    ) {
      try {
        const fresh = await this.config.link.request('ice.refresh', {});
        if (this.ended) return;
        pc.setConfiguration({ ...pc.getConfiguration(), iceServers: fresh.iceServers });
      } catch (error) {
        this.config.onError(error); // restart with the old credentials all the same
      }
    }
    await negotiation.restartIce();
  }

  private async applyVideo(enabled: boolean): Promise<void> {
    if (this.ended) return;
    const stream = this.localStream;
    if (!enabled) {
      this.store.update({ video: false });
      removeVideoTracks(stream);
      await this.senders.get('video')?.replaceTrack(null).catch(this.config.onError);
      return;
    }
    if (!stream || hasLiveVideo(stream)) {
      this.store.update({ video: true }); // no media yet: what accept() will ask for
      return;
    }
    let camera: MediaStreamLike;
    try {
      camera = await openCamera(this.config.getUserMedia);
    } catch (error) {
      if (!this.ended) this.store.update({ error: describeMediaError(error) });
      throw error;
    }
    const track = camera.getVideoTracks()[0];
    if (this.ended || !track) {
      stopStream(camera);
      return;
    }
    stream.addTrack(track);
    this.store.update({ video: true, error: null });
    if (!this.pc || !this.tracksAttached) return; // attached with the others later
    const sender = this.senders.get('video');
    if (sender) await sender.replaceTrack(track);
    else this.senders.set('video', this.pc.addTrack(track, ...this.sendStreams())); // → negotiationneeded
  }

  private useLocalStream(stream: MediaStreamLike): void {
    this.localStream = stream;
    setAudioEnabled(stream, !this.store.get().muted);
    this.store.update({ localStream: stream, error: null });
  }

  private negotiationSignal(signal: HeldSignal): void {
    if (this.heldUntilAccepted) this.heldUntilAccepted.push(signal);
    else void this.signal(signal.event, signal.data);
  }

  /** Sends the signals held until the accept, in order; the offer only `withOffer`. */
  private releaseHeld(withOffer: boolean): void {
    const held = this.heldUntilAccepted ?? [];
    this.heldUntilAccepted = null;
    for (const signal of held)
      if (withOffer || signal.event !== 'call.offer') void this.signal(signal.event, signal.data);
  }

  /** Sends a signalling frame; failures after the call ended are expected and dropped. */
  private signal<E extends SignalEvent>(event: E, data: ClientEventInput<E>): Promise<void> {
    return this.config.link.request(event, data).then(ignore, (error: unknown) => {
      if (!this.ended) this.config.onError(error);
    });
  }

  /** Ends the call here and tells the peer with `call.bye`. */
  private async endAndSay(
    endReason: CallEndState,
    byeReason?: string,
    error?: MediaErrorInfo,
  ): Promise<void> {
    const sent = this.signal('call.bye', {
      callId: this.callId,
      ...(byeReason !== undefined && { reason: byeReason }),
    });
    this.finish(endReason, error);
    await sent;
  }

  /** Ends the call here: closes the peer connection, stops the local tracks and the stats. */
  private finish(endReason: CallEndState, error?: MediaErrorInfo): void {
    if (this.ended) return;
    this.announcer.stop();
    this.negotiation?.dispose();
    this.watch?.dispose();
    this.sampler?.stop();
    this.remote.dispose();
    if (this.pc) {
      this.pc.ontrack = null;
      try {
        this.pc.close();
      } catch {
        // already closed
      }
    }
    stopStream(this.localStream);
    this.earlyCandidates.length = 0;
    this.heldUntilAccepted = null;
    this.store.update({ phase: 'ended', endReason, ...(error && { error }) });
    for (const listener of [...this.endListeners]) {
      try {
        listener();
      } catch (caught) {
        this.config.onListenerError(caught);
      }
    }
    this.endListeners.clear();
  }
}
