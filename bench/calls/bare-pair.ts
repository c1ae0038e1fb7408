/**
 * The bare pair: a call between two browsers written the way the WebRTC samples write one, over
 * the bare signalling server (./bare-signalling.ts). The caller opens its camera and microphone,
 * makes its offer and sends it; the callee, on the offer, opens its own, answers and sends the
 * answer; candidates trickle both ways. No ringing, no accept, no app: what two browsers on this
 * machine need at the least, where the floor (./floor.ts) runs both ends in one page.
 *
 * Run with `page.evaluate` in pages that have the probe (./probe.ts) installed: `bareJoin` on
 * both pages once, `bareAnswerCalls` on the callee's once, then `bareCall` on the caller's for
 * each call. Every function must be self-contained: Playwright serialises its source.
 */
export interface BareCallOptions {
  config: RTCConfiguration;
  timeoutMs: number;
}

export interface BareCallResult {
  connectedMs: number;
  firstFrameMs: number;
  videoUnmutedMs: number;
  /** The caller's `performance.now()` at the start (its getUserMedia) and at the first frame. */
  window: { from: number; to: number };
  callerGumMs: number;
  /** The callee's getUserMedia, on its own clock. */
  calleeGumMs: number;
  pair: Record<string, unknown>;
}

/** Signalling messages, as JSON text frames. */
type BareMessage =
  | { type: 'offer'; description: RTCSessionDescriptionInit; config: RTCConfiguration }
  | { type: 'answer'; description: RTCSessionDescriptionInit; gumMs: number }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }
  | { type: 'bye' };

/** Opens this page's signalling socket (`window.__bareSocket`) and waits until it is open. */
export async function bareJoin(url: string): Promise<void> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {
      once: true,
    });
  });
  (window as unknown as { __bareSocket: WebSocket }).__bareSocket = socket;
}

/** The callee: answers every offer, and hangs up on `bye` (then says `bye` back). */
export function bareAnswerCalls(): void {
  const socket = (window as unknown as { __bareSocket: WebSocket }).__bareSocket;
  const send = (message: BareMessage) => socket.send(JSON.stringify(message));
  let pc: RTCPeerConnection | null = null;
  let stream: MediaStream | null = null;
  let early: RTCIceCandidateInit[] = [];

  const answer = async (offer: Extract<BareMessage, { type: 'offer' }>) => {
    const current = new RTCPeerConnection(offer.config);
    pc = current;
    current.addEventListener('icecandidate', (event) => {
      if (event.candidate) send({ type: 'candidate', candidate: event.candidate.toJSON() });
    });
    await current.setRemoteDescription(offer.description);
    for (const candidate of early.splice(0)) void current.addIceCandidate(candidate);
    const gumStart = performance.now();
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const gumMs = performance.now() - gumStart;
    for (const track of stream.getTracks()) current.addTrack(track, stream);
    await current.setLocalDescription(await current.createAnswer());
    send({ type: 'answer', description: current.localDescription!.toJSON(), gumMs });
  };

  socket.addEventListener('message', (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as BareMessage;
    switch (message.type) {
      case 'offer':
        early = [];
        void answer(message);
        break;
      case 'candidate':
        if (pc?.remoteDescription) void pc.addIceCandidate(message.candidate);
        else early.push(message.candidate);
        break;
      case 'bye':
        pc?.close();
        pc = null;
        for (const track of stream?.getTracks() ?? []) track.stop();
        stream = null;
        send({ type: 'bye' });
        break;
      default:
        break;
    }
  });
}

/** The caller: one call, timed from before its getUserMedia to the first remote frame. */
export async function bareCall(options: BareCallOptions): Promise<BareCallResult> {
  interface Probe {
    marks: { name: string; t: number }[];
    reset(): void;
    waitFor(names: string[], timeoutMs: number): Promise<unknown>;
    pairInfo(pc: RTCPeerConnection): Promise<Record<string, unknown>>;
  }
  const bench = (window as unknown as { __bench: Probe }).__bench;
  const socket = (window as unknown as { __bareSocket: WebSocket }).__bareSocket;
  const send = (message: BareMessage) => socket.send(JSON.stringify(message));

  bench.reset();
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.width = 320;
  video.height = 240;
  video.setAttribute('data-testid', 'remote-video');
  document.body.append(video);
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the probe's observer hook it

  let pc: RTCPeerConnection | null = null;
  let stream: MediaStream | null = null;
  let onMessage: ((event: MessageEvent) => void) | null = null;
  try {
    const t0 = performance.now();
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const callerGumMs = performance.now() - t0;
    const current = new RTCPeerConnection(options.config);
    pc = current;
    let connectedAt = 0;
    const connected = new Promise<void>((resolve) => {
      current.addEventListener('connectionstatechange', () => {
        if (current.connectionState === 'connected' && connectedAt === 0) {
          connectedAt = performance.now();
          resolve();
        }
      });
    });
    let unmutedAt = 0;
    current.addEventListener('track', (event) => {
      if (!video.srcObject) video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      if (event.track.kind === 'video')
        event.track.addEventListener('unmute', () => (unmutedAt ||= performance.now()), {
          once: true,
        });
    });
    current.addEventListener('icecandidate', (event) => {
      if (event.candidate) send({ type: 'candidate', candidate: event.candidate.toJSON() });
    });
    let calleeGumMs = Number.NaN;
    const early: RTCIceCandidateInit[] = [];
    const answered = new Promise<void>((resolve, reject) => {
      onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as BareMessage;
        if (message.type === 'answer') {
          calleeGumMs = message.gumMs;
          current.setRemoteDescription(message.description).then(() => {
            for (const candidate of early.splice(0)) void current.addIceCandidate(candidate);
            resolve();
          }, reject);
        } else if (message.type === 'candidate') {
          if (current.remoteDescription) void current.addIceCandidate(message.candidate);
          else early.push(message.candidate);
        }
      };
      socket.addEventListener('message', onMessage);
    });
    for (const track of stream.getTracks()) current.addTrack(track, stream);
    await current.setLocalDescription(await current.createOffer());
    send({
      type: 'offer',
      description: current.localDescription!.toJSON(),
      config: options.config,
    });

    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('bare call timed out')), options.timeoutMs),
    );
    await Promise.race([
      Promise.all([answered, connected, bench.waitFor(['video:firstFrame'], options.timeoutMs)]),
      timeout,
    ]);
    const frame = bench.marks.find((m) => m.name === 'video:firstFrame')!;
    return {
      connectedMs: connectedAt - t0,
      firstFrameMs: frame.t - t0,
      videoUnmutedMs: unmutedAt ? unmutedAt - t0 : Number.NaN,
      window: { from: t0, to: frame.t },
      callerGumMs,
      calleeGumMs,
      pair: await bench.pairInfo(current),
    };
  } finally {
    if (onMessage) socket.removeEventListener('message', onMessage);
    // Hang up and wait for the callee's `bye`, so the next call starts with both sides idle.
    const hungUp = new Promise<void>((resolve) => {
      const onBye = (event: MessageEvent) => {
        if ((JSON.parse(String(event.data)) as BareMessage).type !== 'bye') return;
        socket.removeEventListener('message', onBye);
        resolve();
      };
      socket.addEventListener('message', onBye);
      setTimeout(resolve, 5000);
    });
    send({ type: 'bye' });
    pc?.close();
    for (const track of stream?.getTracks() ?? []) track.stop();
    video.srcObject = null;
    video.remove();
    await hungUp;
  }
}
