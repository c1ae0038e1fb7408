/**
 * Calls between chat users, each in a browser of their own (see ./room-page.ts): locators for
 * the call UI's test ids, and measurements taken inside the page from the page's own call
 * (`window.__duplexCall.manager`): decoded video frames and the selected ICE candidate pair from
 * `getStats()`, the remote audio level through a WebAudio analyser (the fake device's
 * `totalAudioEnergy` stays 0), and timestamps of call phases and clicks for the timings.
 */
import {
  chromium,
  expect,
  type BrowserContextOptions,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { chromiumLaunchOptions } from './browser.js';
import { ChatUser, closeChatUsers, joinBoth, launchChatUsers } from './room-page.js';
import { recordWebSocketFrames } from './ws-frames.js';

export type CallPhase =
  'idle' | 'ringing-out' | 'ringing-in' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

/** Calls connect in about 0.2 s on loopback; the rest is browsers on two busy cores. */
export const CONNECT_TIMEOUT_MS = 20_000;

/** One remote video track of the page's current call, with its receiver's inbound-rtp stats. */
export interface RemoteVideoSample {
  trackId: string;
  readyState: string;
  muted: boolean;
  framesDecoded: number;
  frameWidth: number | null;
}

export interface VideoFlow {
  /** framesDecoded of the remote stream's live video track, one second apart. */
  before: number;
  after: number;
  /** Decoded frames per second over that second. */
  fps: number;
  trackId: string;
  frameWidth: number | null;
  /** `remote-video`'s videoWidth / videoHeight. */
  videoWidth: number;
  videoHeight: number;
  /** The track's `muted` at the end (the web app shows no remote video while it is true). */
  muted: boolean;
}

export interface CandidateInfo {
  candidateType: string;
  protocol: string;
  address: string | null;
  port: number | null;
  relayProtocol: string | null;
  url: string | null;
}

export interface SelectedPair {
  /** How the pair was found: the transport's selectedCandidatePairId, or a nominated succeeded pair. */
  via: 'transport' | 'nominated';
  state: string;
  local: CandidateInfo;
  remote: CandidateInfo;
  iceTransportPolicy: string | null;
}

/** A phase change of the page's current call, or a click on a call control, with Date.now(). */
export interface TraceEntry {
  t: number;
  kind: 'phase' | 'click' | 'rtc';
  what: string;
  callId?: string;
  endReason?: string | null;
}

/** What the page showed of the peer's microphone and camera from `t` (Date.now()) on. */
export interface RemoteMediaIndicators {
  t: number;
  /** `remote-muted` is in the page ("Ann is muted"). */
  muted: boolean;
  /** `remote-camera-off` is in the page ("Ann's camera is off"). */
  cameraOff: boolean;
}

interface E2eWindow {
  __e2eRemoteMedia?: RemoteMediaIndicators[];
  __e2eCallTrace?: TraceEntry[];
  __duplexCall?: {
    manager: {
      current: {
        callId: string;
        getSnapshot(): {
          callId: string;
          phase: string;
          endReason: string | null;
          remoteStream: MediaStream | null;
        };
        subscribe(listener: () => void): () => void;
        getPeerConnection(): RTCPeerConnection | null;
      } | null;
      subscribe(listener: () => void): () => void;
    };
  };
}

/** The call UI of one chat user's page. */
export class CallUser {
  readonly page: Page;
  readonly name: string;
  readonly state: Locator;
  readonly view: Locator;
  readonly incoming: Locator;
  readonly accept: Locator;
  readonly acceptAudio: Locator;
  readonly decline: Locator;
  readonly mute: Locator;
  readonly camera: Locator;
  readonly hangup: Locator;
  readonly duration: Locator;
  readonly quality: Locator;
  readonly error: Locator;
  readonly errorDismiss: Locator;
  readonly remoteVideo: Locator;
  readonly remoteAudio: Locator;
  readonly localVideo: Locator;
  /** The peer's microphone and camera as their `call.media` says (data-audio, data-video). */
  readonly remoteMedia: Locator;
  readonly remoteMuted: Locator;
  readonly remoteCameraOff: Locator;
  /** Console lines of the page (attached to the report when a test fails). */
  readonly consoleLines: string[] = [];

  constructor(readonly chat: ChatUser) {
    const { page } = chat;
    this.page = page;
    this.name = chat.name;
    this.state = page.getByTestId('call-state');
    this.view = page.getByTestId('call-view');
    this.incoming = page.getByTestId('incoming-call');
    this.accept = page.getByTestId('call-accept');
    this.acceptAudio = page.getByTestId('call-accept-audio');
    this.decline = page.getByTestId('call-decline');
    this.mute = page.getByTestId('call-mute');
    this.camera = page.getByTestId('call-camera');
    this.hangup = page.getByTestId('call-hangup');
    this.duration = page.getByTestId('call-duration');
    this.quality = page.getByTestId('call-quality');
    this.error = page.getByTestId('call-error');
    this.errorDismiss = page.getByTestId('call-error-dismiss');
    this.remoteVideo = page.getByTestId('remote-video');
    this.remoteAudio = page.getByTestId('remote-audio');
    this.localVideo = page.getByTestId('local-video');
    this.remoteMedia = page.getByTestId('remote-media');
    this.remoteMuted = page.getByTestId('remote-muted');
    this.remoteCameraOff = page.getByTestId('remote-camera-off');
    const stamp = () => new Date().toISOString().slice(11, 23);
    page.on('console', (message) =>
      this.consoleLines.push(`${stamp()} ${message.type()}: ${message.text()}`),
    );
    page.on('pageerror', (error) =>
      this.consoleLines.push(`${stamp()} pageerror: ${error.message}`),
    );
  }

  /** `name`'s item in this page's member list. */
  member(name: string): Locator {
    return this.page
      .getByTestId('member-list')
      .locator(`[data-testid="member"][data-name="${name}"]`);
  }

  /** Clicks `call-video` (or `call-audio`) on `peer`'s member item, once it is enabled. */
  async call(peer: CallUser | string, video: boolean): Promise<void> {
    const name = typeof peer === 'string' ? peer : peer.name;
    const button = this.member(name).getByTestId(video ? 'call-video' : 'call-audio');
    await expect(
      button,
      `${this.name}: ${video ? 'video' : 'audio'} call button for ${name}`,
    ).toBeEnabled();
    await button.click();
  }

  async expectPhase(phase: CallPhase, timeout = CONNECT_TIMEOUT_MS): Promise<void> {
    await expect(this.state, `${this.name}: call-state`).toHaveAttribute('data-phase', phase, {
      timeout,
    });
  }

  /** Waits for the incoming prompt from a ringing call; checks its kind (video or audio). */
  async expectIncoming(video: boolean): Promise<void> {
    await expect(this.incoming, `${this.name}: incoming-call`).toBeVisible({
      timeout: CONNECT_TIMEOUT_MS,
    });
    await expect(this.incoming).toHaveAttribute('data-video', String(video));
    await expect(this.state).toHaveAttribute('data-phase', 'ringing-in');
  }

  /** The call error alert with `code`. */
  async expectError(code: string): Promise<void> {
    await expect(this.error, `${this.name}: call-error`).toBeVisible({
      timeout: CONNECT_TIMEOUT_MS,
    });
    await expect(this.error).toHaveAttribute('data-code', code);
  }

  /**
   * Records, inside the page, every phase of the page's current call and every click on a call
   * control (`call-*` test ids), with Date.now() (one clock for all browsers on this machine).
   * Call after the page joined its room (the manager exists), before the call starts.
   */
  async startTrace(): Promise<void> {
    await expect
      .poll(() => this.page.evaluate(() => Boolean((window as E2eWindow).__duplexCall?.manager)), {
        message: `${this.name}: window.__duplexCall.manager`,
      })
      .toBe(true);
    await this.page.evaluate(() => {
      const w = window as unknown as E2eWindow;
      if (w.__e2eCallTrace) return;
      const trace: TraceEntry[] = [];
      w.__e2eCallTrace = trace;
      const manager = w.__duplexCall!.manager;
      let session: ReturnType<() => typeof manager.current> = null;
      let unsubscribe: (() => void) | null = null;
      let last: string | null = null;
      let watchedPc: RTCPeerConnection | null = null;
      const rtc = (what: string) => trace.push({ t: Date.now(), kind: 'rtc', what });
      // Signalling states and remote tracks' mute/unmute, for failure reports.
      const watchPeerConnection = () => {
        const pc = session?.getPeerConnection() ?? null;
        if (!pc || pc === watchedPc) return;
        watchedPc = pc;
        pc.addEventListener('signalingstatechange', () => rtc(`signaling ${pc.signalingState}`));
        pc.addEventListener('connectionstatechange', () => rtc(`connection ${pc.connectionState}`));
        pc.addEventListener('track', ({ track, transceiver }) => {
          rtc(`track ${track.kind} ${track.id} mid=${transceiver.mid} muted=${track.muted}`);
          track.addEventListener('mute', () => rtc(`mute ${track.kind} ${track.id}`));
          track.addEventListener('unmute', () => rtc(`unmute ${track.kind} ${track.id}`));
          track.addEventListener('ended', () => rtc(`ended ${track.kind} ${track.id}`));
        });
      };
      const record = () => {
        if (!session) return;
        watchPeerConnection();
        const snapshot = session.getSnapshot();
        if (snapshot.phase === last) return;
        last = snapshot.phase;
        trace.push({
          t: Date.now(),
          kind: 'phase',
          what: snapshot.phase,
          callId: snapshot.callId,
          endReason: snapshot.endReason,
        });
      };
      const follow = () => {
        const current = manager.current;
        if (current === session) return;
        unsubscribe?.();
        unsubscribe = null;
        session = current;
        last = null;
        if (current) {
          unsubscribe = current.subscribe(record);
          record();
        }
      };
      manager.subscribe(follow);
      follow();
      document.addEventListener(
        'click',
        (event) => {
          const target = (event.target as Element | null)?.closest('[data-testid^="call-"]');
          if (target)
            trace.push({ t: Date.now(), kind: 'click', what: target.getAttribute('data-testid')! });
        },
        true,
      );
    });
  }

  /**
   * Records, inside the page, every moment `remote-muted` or `remote-camera-off` appears or
   * goes, with Date.now() (the clock of the peer's call trace): the delay from the peer's click
   * to what this page shows, without the test's polling in it.
   */
  async watchRemoteMediaIndicators(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as unknown as E2eWindow;
      if (w.__e2eRemoteMedia) return;
      const changes: RemoteMediaIndicators[] = [];
      w.__e2eRemoteMedia = changes;
      const record = () => {
        const muted = document.querySelector('[data-testid="remote-muted"]') !== null;
        const cameraOff = document.querySelector('[data-testid="remote-camera-off"]') !== null;
        const last = changes.at(-1);
        if (last && last.muted === muted && last.cameraOff === cameraOff) return;
        changes.push({ t: Date.now(), muted, cameraOff });
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true });
      record();
    });
  }

  /**
   * Date.now() of the first recorded change (see watchRemoteMediaIndicators) at or after
   * `since` where the indicator `which` became `shown`.
   */
  async remoteIndicatorTime(
    which: 'muted' | 'cameraOff',
    shown: boolean,
    since: number,
  ): Promise<number> {
    const changes = await this.page.evaluate(() => (window as E2eWindow).__e2eRemoteMedia ?? []);
    const change = changes.find((c, i) => {
      const before = changes[i - 1];
      return (
        c.t >= since && c[which] === shown && (before === undefined || before[which] !== shown)
      );
    });
    expect(
      change,
      `${this.name}: ${which} ${shown ? 'shown' : 'gone'} since ${since}: ${JSON.stringify(changes)}`,
    ).toBeDefined();
    return change!.t;
  }

  async trace(): Promise<TraceEntry[]> {
    return this.page.evaluate(() => (window as E2eWindow).__e2eCallTrace ?? []);
  }

  /** Date.now() of the first trace entry `what` (a phase or a clicked test id) at or after `since`. */
  async traceTime(what: string, since = 0): Promise<number> {
    const entry = (await this.trace()).find((e) => e.what === what && e.t >= since);
    expect(entry, `${this.name}: "${what}" in the call trace`).toBeDefined();
    return entry!.t;
  }

  /** Remote video tracks of the current call and their receivers' inbound-rtp stats. */
  async remoteVideoSamples(): Promise<RemoteVideoSample[]> {
    return this.page.evaluate(async () => {
      const session = (window as E2eWindow).__duplexCall?.manager.current;
      const pc = session?.getPeerConnection();
      const stream = session?.getSnapshot().remoteStream;
      if (!pc || !stream) return [];
      const report = await pc.getStats();
      const inbound = new Map<string, { framesDecoded: number; frameWidth: number | null }>();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video')
          inbound.set(String(s.trackIdentifier), {
            framesDecoded: Number(s.framesDecoded ?? 0),
            frameWidth: typeof s.frameWidth === 'number' ? s.frameWidth : null,
          });
      });
      return stream.getVideoTracks().map((track) => ({
        trackId: track.id,
        readyState: track.readyState,
        muted: track.muted,
        framesDecoded: inbound.get(track.id)?.framesDecoded ?? 0,
        frameWidth: inbound.get(track.id)?.frameWidth ?? null,
      }));
    });
  }

  /**
   * Expects this side to decode the peer's video: the remote stream has a live video track whose
   * inbound-rtp `framesDecoded` is above 0 and rises over one second, and `remote-video` has a
   * videoWidth. Retries until `timeout` (the first frames take a moment). Whether the track is
   * `muted` is returned, not checked: see {@link expectShowsRemoteVideo}.
   */
  async expectDecodingVideo(timeout = CONNECT_TIMEOUT_MS): Promise<VideoFlow> {
    let flow: VideoFlow | undefined;
    await expect(async () => {
      const first = await this.remoteVideoSamples();
      const live = first.filter((s) => s.readyState === 'live');
      expect(
        live.length,
        `${this.name}: live remote video tracks ${JSON.stringify(first)}`,
      ).toBeGreaterThan(0);
      const decoding = live.find((s) => s.framesDecoded > 0);
      expect(
        decoding,
        `${this.name}: a remote video track with decoded frames ${JSON.stringify(first)}`,
      ).toBeDefined();
      const startedAt = Date.now();
      // A measurement window, not a wait for a condition: frames decoded over one second.
      await this.page.waitForTimeout(1_000);
      const second = (await this.remoteVideoSamples()).find((s) => s.trackId === decoding!.trackId);
      const elapsed = (Date.now() - startedAt) / 1000;
      expect(second?.framesDecoded ?? 0, `${this.name}: framesDecoded rising`).toBeGreaterThan(
        decoding!.framesDecoded,
      );
      const size = await this.remoteVideo.evaluate((video: HTMLVideoElement) => ({
        width: video.videoWidth,
        height: video.videoHeight,
      }));
      expect(size.width, `${this.name}: remote-video videoWidth`).toBeGreaterThan(0);
      flow = {
        before: decoding!.framesDecoded,
        after: second!.framesDecoded,
        fps: Math.round(((second!.framesDecoded - decoding!.framesDecoded) / elapsed) * 10) / 10,
        trackId: decoding!.trackId,
        frameWidth: second!.frameWidth,
        videoWidth: size.width,
        videoHeight: size.height,
        muted: second!.muted,
      };
    }).toPass({ timeout, intervals: [250, 500, 1000] });
    return flow!;
  }

  /**
   * Expects the call view to show the peer's video: `call-view` data-remote-video=true and a live
   * remote video track. After a rolled-back offer (glare) Chromium may leave that track `muted`
   * although frames decode; the client then goes by the decoded frames, so `muted` is not
   * required here. `flow` (from expectDecodingVideo) makes the message say what was decoded.
   */
  async expectShowsRemoteVideo(flow: VideoFlow): Promise<void> {
    await expect(
      this.view,
      `${this.name}: call-view data-remote-video (remote video track ${flow.trackId} muted=` +
        `${flow.muted} although ${flow.after} frames were decoded)`,
    ).toHaveAttribute('data-remote-video', 'true', { timeout: 5_000 });
    const samples = await this.remoteVideoSamples();
    expect(
      samples.some((s) => s.readyState === 'live' && s.framesDecoded > 0),
      `${this.name}: a live remote video track with decoded frames ${JSON.stringify(samples)}`,
    ).toBe(true);
  }

  /**
   * The loudest RMS level (0..1) of the peer's audio over `durationMs`, measured with a WebAudio
   * AnalyserNode on the remote stream's audio track (the fake device beeps now and then, so the
   * maximum over a couple of seconds catches a beep; a muted peer sends silence: about 0).
   */
  async remoteAudioLevel(durationMs = 2_000): Promise<number> {
    return this.page.evaluate(async (duration) => {
      const session = (window as E2eWindow).__duplexCall?.manager.current;
      const track = session?.getSnapshot().remoteStream?.getAudioTracks()[0];
      if (!track) throw new Error('no remote audio track');
      const context = new AudioContext();
      await context.resume();
      const source = context.createMediaStreamSource(new MediaStream([track]));
      const analyser = context.createAnalyser();
      analyser.fftSize = 2048;
      source.connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      let max = 0;
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          analyser.getFloatTimeDomainData(samples);
          let sum = 0;
          for (const value of samples) sum += value * value;
          max = Math.max(max, Math.sqrt(sum / samples.length));
          if (performance.now() - started >= duration) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      source.disconnect();
      await context.close();
      return max;
    }, durationMs);
  }

  /** The selected ICE candidate pair of the current call's peer connection, with its candidates. */
  async selectedCandidatePair(): Promise<SelectedPair | null> {
    return this.page.evaluate(async () => {
      const pc = (window as E2eWindow).__duplexCall?.manager.current?.getPeerConnection();
      if (!pc) return null;
      const report = await pc.getStats();
      const all: Record<string, unknown>[] = [];
      report.forEach((s: Record<string, unknown>) => all.push(s));
      const byId = (id: unknown) => all.find((s) => s.id === id);
      let via: 'transport' | 'nominated' = 'transport';
      const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      let pair = transport ? byId(transport.selectedCandidatePairId) : undefined;
      if (!pair) {
        via = 'nominated';
        pair = all.find(
          (s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded',
        );
      }
      if (!pair) return null;
      const describe = (s: Record<string, unknown> | undefined) => ({
        candidateType: String(s?.candidateType ?? ''),
        protocol: String(s?.protocol ?? ''),
        address: (s?.address as string | undefined) ?? null,
        port: (s?.port as number | undefined) ?? null,
        relayProtocol: (s?.relayProtocol as string | undefined) ?? null,
        url: (s?.url as string | undefined) ?? null,
      });
      return {
        via,
        state: String(pair.state),
        local: describe(byId(pair.localCandidateId)),
        remote: describe(byId(pair.remoteCandidateId)),
        iceTransportPolicy: pc.getConfiguration().iceTransportPolicy ?? null,
      };
    });
  }

  /** The ICE servers the api handed this page's session (TURN URLs and a username, no secret). */
  async iceServerUrls(): Promise<string[]> {
    return this.page.evaluate(() => {
      const pc = (window as E2eWindow).__duplexCall?.manager.current?.getPeerConnection();
      return (pc?.getConfiguration().iceServers ?? []).flatMap((server) =>
        Array.isArray(server.urls) ? server.urls : [server.urls],
      );
    });
  }

  /**
   * The current call's peer connection in words, for failure reports: states, transceivers (mid,
   * directions, receiver track), the remote stream's tracks, and the inbound/outbound RTP stats.
   */
  async rtcDiagnostics(): Promise<unknown> {
    return this.page.evaluate(async () => {
      const session = (window as E2eWindow).__duplexCall?.manager.current;
      if (!session) return { session: null };
      const snapshot = session.getSnapshot();
      const pc = session.getPeerConnection();
      const describeTrack = (t: MediaStreamTrack | null) =>
        t && {
          id: t.id,
          kind: t.kind,
          readyState: t.readyState,
          muted: t.muted,
          enabled: t.enabled,
        };
      const rtp: unknown[] = [];
      if (pc && pc.connectionState !== 'closed') {
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' || s.type === 'outbound-rtp')
            rtp.push({
              type: s.type,
              kind: s.kind,
              mid: s.mid,
              ssrc: s.ssrc,
              trackIdentifier: s.trackIdentifier,
              packetsReceived: s.packetsReceived,
              packetsSent: s.packetsSent,
              framesDecoded: s.framesDecoded,
              framesEncoded: s.framesEncoded,
              frameWidth: s.frameWidth,
            });
        });
      }
      return {
        callId: snapshot.callId,
        phase: snapshot.phase,
        endReason: snapshot.endReason,
        signalingState: pc?.signalingState,
        connectionState: pc?.connectionState,
        transceivers: pc?.getTransceivers().map((t) => ({
          mid: t.mid,
          direction: t.direction,
          currentDirection: t.currentDirection,
          sender: describeTrack(t.sender.track),
          receiver: describeTrack(t.receiver.track),
        })),
        remoteStream: snapshot.remoteStream?.getTracks().map(describeTrack) ?? null,
        rtp,
      };
    });
  }

  /** signalingState of the current call's peer connection (null when there is none). */
  async signalingState(): Promise<string | null> {
    return this.page.evaluate(
      () =>
        (window as E2eWindow).__duplexCall?.manager.current?.getPeerConnection()?.signalingState ??
        null,
    );
  }

  /** connectionState of the current call's peer connection (null when there is none). */
  async connectionState(): Promise<string | null> {
    return this.page.evaluate(
      () =>
        (window as E2eWindow).__duplexCall?.manager.current?.getPeerConnection()?.connectionState ??
        null,
    );
  }
}

/**
 * Launches one browser per name, each user in a browser of its own, with its call UI.
 * The browsers' fake media UI grants camera and microphone, and the Permissions API says so
 * (a returning user: calls ring while the camera opens). `firstVisit` makes the Permissions API
 * answer `prompt` instead, as for someone never asked before: the app then opens the media
 * before it rings or accepts.
 */
export async function launchCallUsers(
  baseURL: string | undefined,
  names: readonly string[],
  options: { firstVisit?: boolean } = {},
): Promise<CallUser[]> {
  const chats = await launchChatUsers(baseURL, names);
  if (options.firstVisit)
    await Promise.all(chats.map((chat) => chat.context.addInitScript(permissionsSayPrompt)));
  return chats.map((chat) => new CallUser(chat));
}

/** Init script: `navigator.permissions.query` answers `prompt` for camera and microphone. */
function permissionsSayPrompt(): void {
  const permissions = navigator.permissions;
  const query = permissions.query.bind(permissions);
  permissions.query = async (descriptor: PermissionDescriptor) => {
    const status = await query(descriptor);
    if (descriptor.name !== ('camera' as PermissionName) && descriptor.name !== 'microphone')
      return status;
    return Object.defineProperty(status, 'state', { value: 'prompt' });
  };
}

/**
 * Every user names themselves in the lobby and joins `room`; resolves once each sees all.
 * `relay`: the room page is then loaded again as `/rooms/<room>?relay=1`, which the web app
 * reads once at load and turns into `iceTransportPolicy: 'relay'` for its calls.
 */
export async function joinCallRoom(
  users: readonly CallUser[],
  room: string,
  options: { relay?: boolean } = {},
): Promise<void> {
  const chats = users.map((user) => user.chat);
  await joinBoth(chats, room);
  if (options.relay) {
    await Promise.all(
      chats.map(async (chat) => {
        await chat.page.goto(`/rooms/${room}?relay=1`);
        await expect(chat.roomTitle).toHaveText(room);
      }),
    );
    const names = chats.map((chat) => chat.name);
    await Promise.all(chats.map((chat) => chat.expectMembers(names)));
  }
  for (const user of users) await user.startTrace();
}

/** When each step of a call's set-up happened, by the pages' call traces (ms since the epoch). */
export interface CallSetupTimes {
  /** The caller's invite click. */
  invited: number;
  /** The callee's page rang. */
  ringing: number;
  /** The callee's accept click. */
  accepted: number;
  /** Both pages connected. */
  connected: number;
}

/**
 * `caller` calls `callee` (video, or audio only), who accepts; resolves once both are connected,
 * with when each step happened.
 */
export async function placeAcceptedCall(
  caller: CallUser,
  callee: CallUser,
  video: boolean,
): Promise<CallSetupTimes> {
  const since = Date.now();
  await caller.call(callee, video);
  await callee.expectIncoming(video);
  await caller.expectPhase('ringing-out');
  await callee.accept.click();
  await Promise.all([caller.expectPhase('connected'), callee.expectPhase('connected')]);

  return {
    invited: await caller.traceTime(video ? 'call-video' : 'call-audio', since),
    ringing: await callee.traceTime('ringing-in', since),
    accepted: await callee.traceTime('call-accept', since),
    connected: Math.max(
      await caller.traceTime('connected', since),
      await callee.traceTime('connected', since),
    ),
  };
}

/** {@link placeAcceptedCall}, its timings to the report. */
export async function connectCall(
  caller: CallUser,
  callee: CallUser,
  video: boolean,
  testInfo: TestInfo,
): Promise<void> {
  const { invited, ringing, accepted, connected } = await placeAcceptedCall(caller, callee, video);
  record(
    testInfo,
    'timing',
    `invite click → callee ringing ${ringing - invited} ms; accept click → both connected ` +
      `${connected - accepted} ms; invite click → both connected ${connected - invited} ms ` +
      `(includes the test's accept click)`,
  );
}

/** On failure attaches each page's console and call trace (and, via closeChatUsers, its frames); closes the browsers. */
export async function closeCallUsers(
  users: readonly CallUser[],
  testInfo: TestInfo,
): Promise<void> {
  if (testInfo.status !== testInfo.expectedStatus) {
    await Promise.all(
      users.map(async (user) => {
        await testInfo.attach(`${user.name}-console`, {
          body: user.consoleLines.join('\n') || '(no console output)',
          contentType: 'text/plain',
        });
        const rtc = await user.rtcDiagnostics().catch((error: unknown) => String(error));
        await testInfo.attach(`${user.name}-rtc`, {
          body: JSON.stringify(rtc, null, 2),
          contentType: 'application/json',
        });
        const trace = await user.trace().catch(() => null);
        if (trace)
          await testInfo.attach(`${user.name}-call-trace`, {
            body: JSON.stringify(trace, null, 2),
            contentType: 'application/json',
          });
      }),
    );
  }
  await closeChatUsers(
    users.map((user) => user.chat),
    testInfo,
  );
}

/** Adds a timing (or any measurement) to the report and prints it. */
export function record(testInfo: TestInfo, type: string, description: string): void {
  testInfo.annotations.push({ type, description });
  console.log(`[${testInfo.title}] ${type}: ${description}`);
}

/**
 * One call user in a browser of its own whose context has `options` (a phone's viewport,
 * `isMobile`, `hasTouch`…), with its call UI.
 */
export async function launchCallUserWith(
  baseURL: string | undefined,
  name: string,
  options: BrowserContextOptions,
): Promise<CallUser> {
  const browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext({ ...options, baseURL });
  const page = await context.newPage();
  return new CallUser(new ChatUser(name, browser, context, page, recordWebSocketFrames(page)));
}

/**
 * Expects `target` to be what a click at its centre would hit: nothing (a call panel, a
 * popover) lies over it. Fails with what is on top instead.
 */
export async function expectNotCovered(target: Locator, what: string): Promise<void> {
  await expect(target, `${what} visible`).toBeVisible();
  await expect
    .poll(
      () =>
        target.evaluate((element) => {
          const box = element.getBoundingClientRect();
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          if (hit && (hit === element || element.contains(hit))) return 'uncovered';
          return hit
            ? `covered by <${hit.tagName.toLowerCase()} data-testid="${hit.closest('[data-testid]')?.getAttribute('data-testid') ?? ''}" class="${hit.className}">`
            : 'outside the viewport';
        }),
      { message: `${what} is not covered` },
    )
    .toBe('uncovered');
}

/** What has focus in `page`: `body`, or the focused element's test id (or tag) and whether it is in the call view. */
export async function focusedElement(
  page: Page,
): Promise<{ body: boolean; testId: string | null; tag: string; inCallView: boolean }> {
  return page.evaluate(() => {
    const active = document.activeElement;
    return {
      body: active === null || active === document.body,
      testId: active?.getAttribute('data-testid') ?? null,
      tag: active?.tagName.toLowerCase() ?? '',
      inCallView: active?.closest('[data-testid="call-view"]') !== null,
    };
  });
}
