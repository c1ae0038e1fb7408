import type { IceCandidateInitLike, RtcConfigurationLike } from '../../src/call/rtc-types.js';
import { FakeStream, FakeTrack } from './fake-media.js';

type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';
interface MLine {
  mid: string;
  kind: 'audio' | 'video';
  dir: Direction;
}
interface FakeSdp {
  pc: number;
  ufrag: string;
  mlines: MLine[];
}
type Description = { type: 'offer' | 'answer'; sdp: string };

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function domError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function parse(sdp: string): FakeSdp {
  return JSON.parse(sdp) as FakeSdp;
}

class FakeSender {
  track: FakeTrack | null = null;
  /** The streams this sender names (msid): what the peer groups for lip-sync. */
  streams: FakeStream[] = [];

  constructor(
    private readonly pc: FakePeerConnection,
    private readonly transceiver: FakeTransceiver,
  ) {}

  setStreams(...streams: FakeStream[]): void {
    this.streams = streams;
  }

  async replaceTrack(track: FakeTrack | null): Promise<void> {
    await tick();
    this.track = track;
    this.pc.log.push(`replaceTrack:${track ? track.kind : 'null'}`);
    this.pc.senderChanged(this.transceiver);
  }
}

class FakeTransceiver {
  mid: string | null = null;
  currentDirection: Direction | null = null;
  senderUsed = false;
  trackFired = false;
  readonly sender: FakeSender;
  readonly receiverTrack: FakeTrack;

  constructor(
    pc: FakePeerConnection,
    readonly kind: 'audio' | 'video',
    public direction: Direction,
    readonly fromRemote: boolean,
  ) {
    this.sender = new FakeSender(pc, this);
    this.receiverTrack = new FakeTrack(kind);
  }

  get receiver(): { track: FakeTrack } {
    return { track: this.receiverTrack };
  }
}

/**
 * An in-memory RTCPeerConnection: offers and answers are JSON listing m-lines; signalingState
 * moves as in browsers (implicit rollback of a local offer on a remote offer, InvalidStateError
 * on an answer in `stable`), `negotiationneeded` fires in `stable` while something is not
 * negotiated, candidates are gathered after each `setLocalDescription`, and the connection
 * becomes `connected` once an exchange completes.
 */
export class FakePeerConnection {
  static instances: FakePeerConnection[] = [];
  private static nextId = 0;

  static reset(): void {
    FakePeerConnection.instances = [];
  }

  readonly id = ++FakePeerConnection.nextId;
  signalingState: 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed' = 'stable';
  connectionState: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed' =
    'new';
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  onnegotiationneeded: ((event: unknown) => void) | null = null;
  onicecandidate:
    ((event: { candidate: { toJSON(): IceCandidateInitLike } | null }) => void) | null = null;
  ontrack: ((event: { track: FakeTrack; streams: FakeStream[] }) => void) | null = null;
  onconnectionstatechange: ((event: unknown) => void) | null = null;
  readonly transceivers: FakeTransceiver[] = [];
  readonly remoteStream = new FakeStream();
  readonly log: string[] = [];
  /** When `setLocalDescription` was called (not applied) and `negotiationneeded` fired, in order. */
  readonly started: string[] = [];
  readonly addedCandidates: (IceCandidateInitLike | null)[] = [];
  readonly offersMade: FakeSdp[] = [];
  /** Local candidates gathered so far (one after each `setLocalDescription`). */
  gathered = 0;
  statsReport: Map<string, unknown> = new Map();
  closed = false;
  private ufrag = `ufrag-${this.id}-1`;
  private ufragCount = 1;
  private midCount = 0;
  private restartPending = false;
  private pendingRestart = false;
  private pendingMids: FakeTransceiver[] = [];
  private currentLocal: Description | null = null;
  private negotiationQueued = false;
  private remotePeer: number | null = null;

  constructor(public configuration: RtcConfigurationLike = {}) {
    FakePeerConnection.instances.push(this);
  }

  // ---- RTCPeerConnection ----

  addTrack(track: FakeTrack, ...streams: FakeStream[]): FakeSender {
    let transceiver = this.transceivers.find(
      (t) => t.fromRemote && !t.senderUsed && t.kind === track.kind && t.direction === 'recvonly',
    );
    if (transceiver) transceiver.direction = 'sendrecv';
    else {
      transceiver = new FakeTransceiver(this, track.kind, 'sendrecv', false);
      this.transceivers.push(transceiver);
    }
    transceiver.sender.track = track;
    transceiver.sender.streams = streams;
    transceiver.senderUsed = true;
    this.log.push(`addTrack:${track.kind}`);
    this.updateNegotiationNeeded();
    return transceiver.sender;
  }

  addTransceiver(
    kind: 'audio' | 'video',
    init: { direction?: Direction; streams?: FakeStream[] } = {},
  ): FakeTransceiver {
    const transceiver = new FakeTransceiver(this, kind, init.direction ?? 'sendrecv', false);
    transceiver.senderUsed = true;
    transceiver.sender.streams = init.streams ?? [];
    this.transceivers.push(transceiver);
    this.log.push(`addTransceiver:${kind}`);
    this.updateNegotiationNeeded();
    return transceiver;
  }

  getSenders(): FakeSender[] {
    return this.transceivers.map((t) => t.sender);
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  restartIce(): void {
    this.log.push('restartIce');
    this.restartPending = true;
    this.updateNegotiationNeeded();
  }

  getConfiguration(): RtcConfigurationLike {
    return this.configuration;
  }

  setConfiguration(configuration: RtcConfigurationLike): void {
    this.log.push('setConfiguration');
    this.configuration = configuration;
  }

  async getStats(): Promise<Map<string, unknown>> {
    return this.statsReport;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.push('close');
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  async setLocalDescription(description?: { type: string; sdp?: string }): Promise<void> {
    this.started.push('setLocalDescription');
    await tick();
    if (this.closed) throw domError('InvalidStateError', 'closed');
    const type =
      description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'rollback') {
      if (this.signalingState !== 'have-local-offer')
        throw domError('InvalidStateError', `rollback in ${this.signalingState}`);
      this.rollbackLocalOffer('rollback');
      this.updateNegotiationNeeded();
      return;
    }
    if (type === 'offer') {
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
        throw domError('InvalidStateError', `offer in ${this.signalingState}`);
      }
      if (this.restartPending) {
        this.ufrag = `ufrag-${this.id}-${++this.ufragCount}`;
        this.restartPending = false;
        this.pendingRestart = true;
      }
      for (const t of this.transceivers) {
        if (t.mid !== null) continue;
        t.mid = `${this.id}-${this.midCount++}`;
        this.pendingMids.push(t);
      }
      const offer = this.describe();
      this.offersMade.push(offer);
      this.localDescription = { type: 'offer', sdp: JSON.stringify(offer) };
      this.signalingState = 'have-local-offer';
      this.log.push('setLocalDescription:offer');
      this.gather();
      return;
    }
    if (
      type !== 'answer' ||
      this.signalingState !== 'have-remote-offer' ||
      !this.remoteDescription
    ) {
      throw domError('InvalidStateError', `${type} in ${this.signalingState}`);
    }
    const offer = parse(this.remoteDescription.sdp);
    const answer: FakeSdp = {
      pc: this.id,
      ufrag: this.ufrag,
      mlines: offer.mlines.map((mline) => {
        const t = this.byMid(mline.mid);
        return { mid: mline.mid, kind: mline.kind, dir: t?.direction ?? 'recvonly' };
      }),
    };
    this.localDescription = this.currentLocal = { type: 'answer', sdp: JSON.stringify(answer) };
    for (const mline of offer.mlines) {
      const t = this.byMid(mline.mid);
      if (t) t.currentDirection = t.direction;
    }
    this.signalingState = 'stable';
    this.log.push('setLocalDescription:answer');
    this.gather();
    this.maybeConnect();
    this.updateNegotiationNeeded();
  }

  async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
    await tick();
    if (this.closed) throw domError('InvalidStateError', 'closed');
    const sdp = parse(description.sdp ?? '');
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') this.rollbackLocalOffer('implicit-rollback');
      else if (this.signalingState !== 'stable')
        throw domError('InvalidStateError', `offer in ${this.signalingState}`);
      if (
        this.remoteDescription &&
        parse(this.remoteDescription.sdp).ufrag !== sdp.ufrag &&
        this.localDescription
      ) {
        this.ufrag = `ufrag-${this.id}-${++this.ufragCount}`; // the answer to an ICE restart restarts too
      }
      this.log.push('setRemoteDescription:offer');
      for (const mline of sdp.mlines) {
        if (this.byMid(mline.mid)) continue;
        const unassociated = this.transceivers.find(
          (t) => !t.fromRemote && t.mid === null && t.kind === mline.kind,
        );
        if (unassociated) unassociated.mid = mline.mid;
        else {
          const t = new FakeTransceiver(this, mline.kind, 'recvonly', true);
          t.mid = mline.mid;
          this.transceivers.push(t);
        }
      }
      this.remotePeer = sdp.pc;
      this.remoteDescription = { type: 'offer', sdp: description.sdp ?? '' };
      this.signalingState = 'have-remote-offer';
      this.fireTracks(sdp);
      return;
    }
    if (description.type !== 'answer' || this.signalingState !== 'have-local-offer') {
      throw domError(
        'InvalidStateError',
        `Failed to set remote ${description.type} sdp: Called in wrong state: ${this.signalingState}`,
      );
    }
    this.log.push('setRemoteDescription:answer');
    this.remotePeer = sdp.pc;
    this.remoteDescription = { type: 'answer', sdp: description.sdp ?? '' };
    this.currentLocal = this.localDescription;
    for (const t of this.transceivers) if (t.mid !== null) t.currentDirection = t.direction;
    this.pendingMids = [];
    this.pendingRestart = false;
    this.signalingState = 'stable';
    this.fireTracks(sdp);
    this.maybeConnect();
    this.updateNegotiationNeeded();
  }

  async addIceCandidate(candidate?: IceCandidateInitLike | null): Promise<void> {
    await tick();
    if (this.closed) throw domError('InvalidStateError', 'closed');
    if (!this.remoteDescription)
      throw domError('InvalidStateError', 'The remote description was null');
    const remoteUfrag = parse(this.remoteDescription.sdp).ufrag;
    if (candidate?.usernameFragment && candidate.usernameFragment !== remoteUfrag) {
      throw domError('OperationError', 'Unknown ufrag');
    }
    this.log.push('addIceCandidate');
    this.addedCandidates.push(candidate ?? null);
  }

  // ---- test controls ----

  /** Sets `connectionState` and fires `connectionstatechange`. */
  setConnectionState(state: FakePeerConnection['connectionState']): void {
    this.connectionState = state;
    this.onconnectionstatechange?.({});
  }

  get sendingKinds(): string[] {
    return this.transceivers
      .filter((t) => t.sender.track && t.currentDirection === 'sendrecv')
      .map((t) => t.kind);
  }

  /** The remote track of a mid, muted while the peer's sender has no track. @internal */
  senderChanged(transceiver: FakeTransceiver): void {
    const peer = FakePeerConnection.instances.find((pc) => pc.remotePeer === this.id && !pc.closed);
    const remote = transceiver.mid !== null ? peer?.byMid(transceiver.mid) : undefined;
    remote?.receiverTrack.setMuted(transceiver.sender.track === null);
  }

  // ---- internals ----

  private byMid(mid: string): FakeTransceiver | undefined {
    return this.transceivers.find((t) => t.mid === mid);
  }

  private describe(): FakeSdp {
    return {
      pc: this.id,
      ufrag: this.ufrag,
      mlines: this.transceivers
        .filter((t): t is FakeTransceiver & { mid: string } => t.mid !== null)
        .map((t) => ({ mid: t.mid, kind: t.kind, dir: t.direction })),
    };
  }

  private rollbackLocalOffer(entry: string): void {
    for (const t of this.pendingMids) t.mid = null;
    this.pendingMids = [];
    if (this.pendingRestart) this.restartPending = true;
    this.pendingRestart = false;
    this.localDescription = this.currentLocal;
    this.signalingState = 'stable';
    this.log.push(entry);
  }

  private fireTracks(sdp: FakeSdp): void {
    for (const mline of sdp.mlines) {
      const t = this.byMid(mline.mid);
      if (!t || mline.dir !== 'sendrecv' || t.trackFired) continue;
      t.trackFired = true;
      // As in browsers: no packets, a muted track, while the peer's sender has no track yet.
      const peer = FakePeerConnection.instances.find((pc) => pc.id === sdp.pc);
      const peerSender = peer?.byMid(mline.mid)?.sender;
      if (peerSender) t.receiverTrack.muted = peerSender.track === null;
      this.remoteStream.addTrack(t.receiverTrack);
      this.ontrack?.({ track: t.receiverTrack, streams: [this.remoteStream] });
    }
  }

  private needsNegotiation(): boolean {
    return (
      this.restartPending ||
      this.transceivers.some((t) => t.mid === null || t.direction !== t.currentDirection)
    );
  }

  private updateNegotiationNeeded(): void {
    if (this.closed || this.negotiationQueued) return;
    this.negotiationQueued = true;
    setTimeout(() => {
      this.negotiationQueued = false;
      if (this.closed || this.signalingState !== 'stable' || !this.needsNegotiation()) return;
      this.log.push('negotiationneeded');
      this.started.push('negotiationneeded');
      this.onnegotiationneeded?.({});
    }, 0);
  }

  private gather(): void {
    const ufrag = this.ufrag;
    setTimeout(() => {
      if (this.closed) return;
      this.gathered++;
      const init: IceCandidateInitLike = {
        candidate: `candidate:${this.id} 1 udp 2122260223 127.0.0.1 ${40000 + this.id} typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: ufrag,
      };
      this.onicecandidate?.({ candidate: { toJSON: () => ({ ...init }) } });
      this.onicecandidate?.({ candidate: null });
    }, 1);
  }

  private maybeConnect(): void {
    if (this.connectionState === 'connected' || !this.localDescription || !this.remoteDescription)
      return;
    this.setConnectionState('connecting');
    setTimeout(() => {
      if (!this.closed && this.connectionState === 'connecting')
        this.setConnectionState('connected');
    }, 5);
  }
}
