/**
 * The floor: two RTCPeerConnections in ONE page, no signalling server. Offer, answer and ICE
 * candidates are handed from one to the other directly in JS. Run with `page.evaluate` in a
 * page that has the probe (./probe.ts) installed, which times the caller's connection state
 * and the first frame of the `remote-video` element this function creates, exactly as it does
 * for the Duplex pages.
 *
 * Must be self-contained: Playwright serialises the function's source into the page.
 */
export interface FloorOptions {
  /** true: t0 before the caller's getUserMedia (then the callee's, one after the other, as in
   *  Duplex); false: media opened beforehand, t0 right before createOffer. */
  withGetUserMedia: boolean;
  config: RTCConfiguration;
  timeoutMs: number;
}

export interface FloorResult {
  connectedMs: number;
  firstFrameMs: number;
  /** The caller's remote video track unmuted (its first packets arrived). */
  videoUnmutedMs: number;
  /** Time in the caller's and callee's getUserMedia (0 when not timed). */
  callerGumMs: number;
  calleeGumMs: number;
  offerMs: number;
  pair: Record<string, unknown>;
}

export async function floorCall(options: FloorOptions): Promise<FloorResult> {
  interface Probe {
    mark(name: string): void;
    reset(): void;
    marks: { name: string; t: number; detail?: Record<string, unknown> }[];
    waitFor(names: string[], timeoutMs: number): Promise<unknown>;
    pairInfo(pc: RTCPeerConnection): Promise<Record<string, unknown>>;
  }
  const bench = (window as unknown as { __bench: Probe }).__bench;
  const constraints: MediaStreamConstraints = { audio: true, video: true };
  const open = () => navigator.mediaDevices.getUserMedia(constraints);

  bench.reset();
  let callerStream: MediaStream | null = null;
  let calleeStream: MediaStream | null = null;
  if (!options.withGetUserMedia) {
    callerStream = await open();
    calleeStream = await open();
  }
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  video.width = 320;
  video.height = 240;
  video.setAttribute('data-testid', 'remote-video');
  document.body.append(video);
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the probe's observer hook it

  let caller: RTCPeerConnection | null = null;
  let callee: RTCPeerConnection | null = null;
  try {
    let t0 = 0;
    let callerGumMs = 0;
    let calleeGumMs = 0;
    if (options.withGetUserMedia) {
      t0 = performance.now();
      callerStream = await open();
      const afterCaller = performance.now();
      calleeStream = await open();
      callerGumMs = afterCaller - t0;
      calleeGumMs = performance.now() - afterCaller;
    }
    caller = new RTCPeerConnection(options.config);
    callee = new RTCPeerConnection(options.config);
    const a = caller;
    const b = callee;
    let connectedAt = 0;
    const connected = new Promise<void>((resolve) => {
      a.addEventListener('connectionstatechange', () => {
        if (a.connectionState === 'connected' && connectedAt === 0) {
          connectedAt = performance.now();
          resolve();
        }
      });
    });
    // Trickle ICE straight across; candidates that come before the remote description wait.
    const trickle = (from: RTCPeerConnection, to: RTCPeerConnection) => {
      const early: RTCIceCandidate[] = [];
      from.addEventListener('icecandidate', (event) => {
        if (!event.candidate) return;
        if (to.remoteDescription) void to.addIceCandidate(event.candidate);
        else early.push(event.candidate);
      });
      return () => {
        for (const candidate of early.splice(0)) void to.addIceCandidate(candidate);
      };
    };
    const flushToCallee = trickle(a, b);
    const flushToCaller = trickle(b, a);
    let unmutedAt = 0;
    a.addEventListener('track', (event) => {
      if (!video.srcObject) video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      if (event.track.kind === 'video')
        event.track.addEventListener('unmute', () => (unmutedAt ||= performance.now()), {
          once: true,
        });
    });
    for (const track of callerStream!.getTracks()) a.addTrack(track, callerStream!);

    if (!options.withGetUserMedia) t0 = performance.now();
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    const offerMs = performance.now() - t0;
    await b.setRemoteDescription(offer);
    flushToCallee();
    for (const track of calleeStream!.getTracks()) b.addTrack(track, calleeStream!);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    flushToCaller();

    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('floor call timed out')), options.timeoutMs),
    );
    await Promise.race([
      Promise.all([connected, bench.waitFor(['video:firstFrame'], options.timeoutMs)]),
      timeout,
    ]);
    const frame = bench.marks.find((m) => m.name === 'video:firstFrame')!;
    return {
      connectedMs: connectedAt - t0,
      firstFrameMs: frame.t - t0,
      videoUnmutedMs: unmutedAt ? unmutedAt - t0 : Number.NaN,
      callerGumMs,
      calleeGumMs,
      offerMs,
      pair: await bench.pairInfo(a),
    };
  } finally {
    caller?.close();
    callee?.close();
    for (const stream of [callerStream, calleeStream])
      for (const track of stream?.getTracks() ?? []) track.stop();
    video.srcObject = null;
    video.remove();
  }
}
