import { FakeTrack } from './fake-media.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import type { SignallingRelay } from './signalling-relay.js';

type Frame = { event: string; id?: string; data: Record<string, unknown> };

/**
 * A party written from PROTOCOL.md alone, not with this package: it speaks raw JSON frames over
 * a socket of the relay and drives its own peer connection by the protocol's call rules (the
 * caller makes the first offer, in its invite or right after the accept; the callee only
 * answers, in its accept or as `call.answer`; candidates go out only once the call is active).
 * It stands for the clients others write, so that the client is shown to work with them in both
 * directions.
 */
export class RawPeer {
  readonly received: Frame[] = [];
  readonly pc = new FakePeerConnection();
  /** Failures to add the other side's candidates. */
  readonly errors: unknown[] = [];
  private readonly socket: InstanceType<SignallingRelay['WebSocket']>;
  private readonly waiters: { test: (frame: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  /** Frames a `next()` has returned already. */
  private readonly taken = new Set<Frame>();
  private nextId = 0;
  private candidateListener: ((frame: Frame) => void) | null = null;
  /** Local candidates wait until the call is active: its accept sent (callee) or received. */
  private active = false;
  private readonly heldCandidates: unknown[] = [];
  /** The call this peer is in (set by the test: from the invite it got, or the one it made). */
  callId: string | null = null;

  private constructor(relay: SignallingRelay) {
    this.socket = new relay.WebSocket('ws://relay.test/ws');
    this.socket.onmessage = ({ data }) => this.receive(JSON.parse(String(data)) as Frame);
    // Every local candidate goes out as the protocol's RTCIceCandidateInit, `null` at the end.
    this.pc.onicecandidate = ({ candidate }) => {
      const init = candidate?.toJSON() ?? null;
      if (this.active) this.send('call.candidate', { callId: this.callId, candidate: init });
      else this.heldCandidates.push(init);
    };
  }

  /** Connects and says hello as `name` (the relay's user id is `u-<name>`). */
  static async connect(relay: SignallingRelay, name: string): Promise<RawPeer> {
    const peer = new RawPeer(relay);
    await new Promise<void>((resolve) => {
      peer.socket.onopen = () => resolve();
    });
    const ack = await peer.request('hello', { protocol: 1, name });
    if (ack.event !== 'ack') throw new Error(`hello refused: ${JSON.stringify(ack.data)}`);
    return peer;
  }

  /** Sends a request and resolves with its reply (`ack` or `error`). */
  request(event: string, data: Record<string, unknown>): Promise<Frame> {
    const id = `raw-${++this.nextId}`;
    const reply = this.next((frame) => frame.id === id);
    this.send(event, data, id);
    return reply;
  }

  send(event: string, data: Record<string, unknown>, id?: string): void {
    this.socket.send(JSON.stringify({ event, data, ...(id !== undefined && { id }) }));
    if (event === 'call.accept') this.activate();
  }

  /** The next frame (from now on, or already received and not yet taken) that passes `test`. */
  next(test: (frame: Frame) => boolean): Promise<Frame> {
    const found = this.received.find((frame) => !this.taken.has(frame) && test(frame));
    if (found) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The next `event` about the current call. */
  nextCallEvent(event: string): Promise<Frame> {
    return this.next((frame) => frame.event === event && frame.data.callId === this.callId);
  }

  eventsOf(event: string): Frame[] {
    return this.received.filter((frame) => frame.event === event);
  }

  /** Applies a remote offer and makes the answer, sending audio back; returns its sdp. */
  async answerOffer(sdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    this.ensureAudioSender();
    await this.pc.setLocalDescription();
    return String(this.pc.localDescription?.sdp);
  }

  /** Applies a remote offer and sends the answer (`call.answer`), sending audio back. */
  async answer(sdp: string): Promise<void> {
    const answer = await this.answerOffer(sdp);
    await this.request('call.answer', { callId: this.callId, sdp: answer });
  }

  /** Makes an offer with audio; returns its sdp. */
  async makeOffer(): Promise<string> {
    this.ensureAudioSender();
    await this.pc.setLocalDescription();
    return String(this.pc.localDescription?.sdp);
  }

  /** Makes and sends an offer (`call.offer`) with audio. */
  async offer(): Promise<void> {
    const offer = await this.makeOffer();
    await this.request('call.offer', { callId: this.callId, sdp: offer });
  }

  /** Adds every candidate the other side sends for the current call (once it has its description). */
  addRemoteCandidates(): void {
    const add = (frame: Frame): void => {
      const { candidate } = frame.data as {
        candidate: Parameters<FakePeerConnection['addIceCandidate']>[0];
      };
      this.pc.addIceCandidate(candidate ?? undefined).catch((error: unknown) => {
        this.errors.push(error);
      });
    };
    for (const frame of this.eventsOf('call.candidate')) add(frame);
    this.candidateListener = add;
  }

  close(): void {
    this.pc.close();
    this.socket.close();
  }

  /** A microphone track on the connection (on the offer's audio transceiver when answering). */
  private ensureAudioSender(): void {
    if (this.pc.getSenders().some((sender) => sender.track?.kind === 'audio')) return;
    this.pc.addTrack(new FakeTrack('audio'));
  }

  /** The call is active: the candidates held until now go out. */
  private activate(): void {
    this.active = true;
    for (const candidate of this.heldCandidates.splice(0))
      this.send('call.candidate', { callId: this.callId, candidate });
  }

  private receive(frame: Frame): void {
    this.received.push(frame);
    if (frame.event === 'call.accept' && frame.data.callId === this.callId) this.activate();
    if (frame.event === 'call.candidate' && frame.data.callId === this.callId)
      this.candidateListener?.(frame);
    const waiter = this.waiters.find((candidate) => candidate.test(frame));
    if (!waiter) return;
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    this.taken.add(frame);
    waiter.resolve(frame);
  }
}
