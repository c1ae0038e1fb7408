import type { IceCandidate } from '@duplex/protocol';
import { CandidateQueue } from './candidate-queue.js';
import type { IceCandidateLike, PeerConnectionLike } from './rtc-types.js';

/** Where the negotiation sends its descriptions and candidates (`call.offer`, `call.answer`, `call.candidate`). */
export interface NegotiationSignals {
  offer(sdp: string): void;
  answer(sdp: string): void;
  /** `null`: end of candidates. */
  candidate(candidate: IceCandidate): void;
}

export interface PerfectNegotiationOptions {
  /** The polite side gives way on glare (rolls back its offer); the impolite side ignores the other's offer. */
  polite: boolean;
  /**
   * Makes no offer before the other side's first one has been applied: the callee, since the
   * caller sends the first offer. A `negotiationneeded` meanwhile is covered by the answer, or
   * fires again once it is out.
   */
  awaitFirstOffer: boolean;
  signals: NegotiationSignals;
  /** Runs when a remote offer is taken (not ignored on glare), before it is applied. */
  offerArrived?: () => void;
  /** Runs after a remote offer was applied, before the answer is made. */
  beforeAnswer?: () => void;
  /**
   * Told `true` before a remote offer is applied, `false` once its answer went out (or
   * answering failed): the window in which this side is the one the other waits for.
   */
  answering?: (active: boolean) => void;
  /** Negotiation failures that are not part of the pattern (logged, the call goes on). */
  onError: (error: unknown) => void;
}

type Incoming =
  | { kind: 'description'; type: 'offer' | 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: IceCandidate }
  | { kind: 'held-offer'; sdp: string };

/**
 * The W3C "perfect negotiation" pattern over one peer connection
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example), plus a queue for remote
 * candidates that arrive before any remote description. Incoming signals are handled one at a
 * time, in arrival order.
 */
export class PerfectNegotiation {
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  private remoteOfferApplied = false;
  /** An offer applied by `takeOffer` and not answered yet. */
  private offerHeld = false;
  private readonly pendingCandidates = new CandidateQueue();
  private incoming: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly pc: PeerConnectionLike,
    private readonly options: PerfectNegotiationOptions,
  ) {
    pc.onnegotiationneeded = () => void this.negotiate();
    pc.onicecandidate = ({ candidate }) => {
      if (this.closed) return;
      if (candidate === null) {
        options.signals.candidate(null);
        return;
      }
      const init = toCandidateInit(candidate);
      // A candidate naming neither its m-line nor its mid cannot be added by the peer: dropped.
      if (init) options.signals.candidate(init);
    };
  }

  get polite(): boolean {
    return this.options.polite;
  }

  /** Whether this side may make an offer now (see `awaitFirstOffer`). */
  get mayOffer(): boolean {
    return !this.options.awaitFirstOffer || this.remoteOfferApplied;
  }

  /** Remote candidates waiting for a remote description. */
  get queuedCandidates(): number {
    return this.pendingCandidates.size;
  }

  handleOffer(sdp: string): Promise<void> {
    return this.enqueue({ kind: 'description', type: 'offer', sdp });
  }

  handleAnswer(sdp: string): Promise<void> {
    return this.enqueue({ kind: 'description', type: 'answer', sdp });
  }

  handleCandidate(candidate: IceCandidate): Promise<void> {
    return this.enqueue({ kind: 'candidate', candidate });
  }

  /**
   * Applies the other side's first offer without answering it (the offer a `call.invite`
   * carries, applied while the phone rings): `answerHeldOffer` answers it. Applying an offer
   * gathers no candidates and sends nothing. Throws nothing: a failure leaves no held offer.
   */
  takeOffer(sdp: string): Promise<void> {
    return this.enqueue({ kind: 'held-offer', sdp });
  }

  /**
   * Answers the offer `takeOffer` applied and hands the answer to `deliver` instead of
   * `signals.answer` (it travels in the accept), before `answering(false)`, as an answer to a
   * `call.offer` is; `deliver` is not called when there is no held offer, the answer failed or
   * the negotiation was closed. Candidates follow through `signals.candidate`.
   */
  answerHeldOffer(deliver: (answer: string) => void): Promise<void> {
    return this.enqueueWork(async () => {
      if (!this.offerHeld) return;
      this.offerHeld = false;
      try {
        const answer = await this.makeAnswer();
        if (answer) deliver(answer);
      } finally {
        this.options.answering?.(false);
      }
      await this.drainCandidates();
    });
  }

  /**
   * Asks for an ICE restart (a new offer through `negotiationneeded`). The impolite side first
   * rolls back an offer still waiting for its answer: that answer may have been lost with the
   * signalling connection, and the restart's offer could not be made before it arrived.
   */
  async restartIce(): Promise<void> {
    // Before the first offer there is no ICE session to restart.
    if (this.closed || !this.mayOffer) return;
    if (
      !this.options.polite &&
      !this.makingOffer &&
      this.pc.signalingState === 'have-local-offer'
    ) {
      try {
        await this.pc.setLocalDescription({ type: 'rollback' });
      } catch (error) {
        this.options.onError(error);
      }
    }
    if (!this.closed) this.pc.restartIce();
  }

  /**
   * Makes an offer now, rather than when the browser's `negotiationneeded` task runs: that task
   * waits behind whatever the page does meanwhile (rendering the call view, say). The event,
   * when it comes, finds the offer made and does nothing.
   */
  offerNow(): Promise<void> {
    if (this.closed || this.pc.signalingState !== 'stable') return Promise.resolve();
    return this.negotiate();
  }

  /** Stops listening to the peer connection and drops whatever is still queued. */
  dispose(): void {
    this.closed = true;
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pendingCandidates.clear();
  }

  private async negotiate(): Promise<void> {
    // An offer already in the making covers what is needed (see offerNow).
    if (this.closed || this.makingOffer || !this.mayOffer) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      if (this.closed || !description?.sdp) return;
      if (description.type === 'offer') this.options.signals.offer(description.sdp);
      else if (description.type === 'answer') this.options.signals.answer(description.sdp);
    } catch (error) {
      if (!this.closed) this.options.onError(error);
    } finally {
      this.makingOffer = false;
    }
  }

  private enqueue(message: Incoming): Promise<void> {
    return this.enqueueWork(() => {
      switch (message.kind) {
        case 'description':
          return this.receiveDescription(message.type, message.sdp);
        case 'candidate':
          return this.receiveCandidate(message.candidate);
        case 'held-offer':
          return this.holdOffer(message.sdp);
      }
    });
  }

  /** Runs `work` after everything queued before it; its failure is reported, not thrown. */
  private enqueueWork(work: () => Promise<void>): Promise<void> {
    const next = this.incoming.then(async () => {
      if (this.closed) return;
      try {
        await work();
      } catch (error) {
        if (!this.closed) this.options.onError(error);
      }
    });
    this.incoming = next;
    return next;
  }

  private async holdOffer(sdp: string): Promise<void> {
    if (this.pc.signalingState !== 'stable' || this.remoteOfferApplied) return;
    this.options.offerArrived?.();
    this.options.answering?.(true);
    try {
      await this.applyRemote('offer', sdp);
    } catch (error) {
      this.options.answering?.(false);
      throw error;
    }
    this.offerHeld = true;
  }

  /** Answers the remote offer just applied: the answer's sdp, or `null` if closed meanwhile. */
  private async makeAnswer(): Promise<string | null> {
    this.remoteOfferApplied = true;
    if (this.closed) return null;
    this.options.beforeAnswer?.();
    await this.pc.setLocalDescription();
    const answer = this.pc.localDescription;
    return !this.closed && answer?.type === 'answer' && answer.sdp ? answer.sdp : null;
  }

  private async receiveDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    const { pc } = this;
    const readyForOffer =
      !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const offerCollision = type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.options.polite && offerCollision;
    if (this.ignoreOffer) return;
    if (type === 'offer') this.options.offerArrived?.();
    if (type === 'answer') {
      await this.applyRemote(type, sdp);
      await this.drainCandidates();
      return;
    }
    this.options.answering?.(true);
    try {
      await this.applyRemote(type, sdp);
      const answer = await this.makeAnswer();
      if (answer) this.options.signals.answer(answer);
    } finally {
      this.options.answering?.(false);
    }
    // Candidates that came before the offer are added once the answer is out: adding them
    // first would put them in the browser's queue of operations ahead of the answer.
    await this.drainCandidates();
  }

  private async applyRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    this.isSettingRemoteAnswerPending = type === 'answer';
    try {
      // On collision the polite side rolls back its own offer implicitly.
      await this.pc.setRemoteDescription({ type, sdp });
    } finally {
      this.isSettingRemoteAnswerPending = false;
    }
  }

  private async receiveCandidate(candidate: IceCandidate): Promise<void> {
    // Neither `sdpMid` nor `sdpMLineIndex`: no browser can add it; the protocol forbids it.
    if (candidate !== null && candidate.sdpMid == null && candidate.sdpMLineIndex == null) return;
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.addCandidate(candidate);
    } catch (error) {
      // A candidate of an offer this side ignored fails; and end-of-candidates is best effort.
      if (!this.ignoreOffer && candidate !== null) throw error;
    }
  }

  private async drainCandidates(): Promise<void> {
    for (const candidate of this.pendingCandidates.drain()) {
      try {
        await this.addCandidate(candidate);
      } catch {
        // Queued candidates may belong to an offer that was ignored or rolled back.
      }
    }
  }

  private addCandidate(candidate: IceCandidate): Promise<void> {
    return candidate === null ? this.pc.addIceCandidate() : this.pc.addIceCandidate(candidate);
  }
}

/**
 * `candidate.toJSON()` in the protocol's shape (`candidate` is always a string there); `null`
 * for a candidate with neither `sdpMid` nor `sdpMLineIndex`, which the protocol does not allow.
 */
export function toCandidateInit(candidate: IceCandidateLike): NonNullable<IceCandidate> | null {
  const json = candidate.toJSON();
  if (json.sdpMid == null && json.sdpMLineIndex == null) return null;
  return {
    candidate: json.candidate ?? '',
    ...(json.sdpMid !== undefined && { sdpMid: json.sdpMid }),
    ...(json.sdpMLineIndex !== undefined && { sdpMLineIndex: json.sdpMLineIndex }),
    ...(json.usernameFragment !== undefined && { usernameFragment: json.usernameFragment }),
  };
}
