/**
 * In-page instrumentation for the call set-up benchmark, installed with
 * `context.addInitScript(installCallProbe)` before any of the page's own scripts run. It only
 * records (timestamps from `performance.now()`, this page's clock) and, when told to, clicks
 * Accept on an incoming-call prompt; the app behaves as usual otherwise.
 *
 * Marks (name → when):
 * - `click:<test id>`   a click on an element with a data-testid (capture phase: before React)
 * - `gum:start|end`     navigator.mediaDevices.getUserMedia called / resolved
 * - `ws:out:<event>`    a call.* frame written to the WebSocket; `ws:in:<event>` one received;
 *                       `ws:in:ack:<event>` the ack of a call.* request
 * - `pc:new`            an RTCPeerConnection constructed (detail: id, iceTransportPolicy)
 * - `pc:<state>`        its connectionState changed (detail: id)
 * - `ice:<state>`       its iceConnectionState changed; `gather:<state>` its iceGatheringState
 *                       (detail: id)
 * - `pc:candidate`      a local candidate gathered (detail: id, type; type null: the end)
 * - `pc:track`          its `track` event (detail: id, kind)
 * - `track:unmute:<kind>` that remote track unmuted: its first packets arrived (detail: id)
 * - `prompt`            an `incoming-call` prompt appeared; `accept:click` Accept clicked (auto:
 *                       at once, or `autoAcceptDelayMs` after the prompt, as a person would)
 * - `video:firstFrame`  the first requestVideoFrameCallback of a `remote-video` <video>
 *                       (detail: receiveTime and presentationTime from the callback metadata)
 *
 * Must be self-contained: Playwright serialises the function's source into the page.
 */
export function installCallProbe(): void {
  interface Mark {
    name: string;
    t: number;
    detail?: Record<string, unknown>;
  }
  interface Waiter {
    names: string[];
    resolve: (marks: Mark[]) => void;
  }
  type Win = Window & { __bench?: unknown };
  const win = window as Win;
  if (win.__bench) return;

  const marks: Mark[] = [];
  const waiters = new Set<Waiter>();
  const pcs: RTCPeerConnection[] = [];

  const settle = () => {
    for (const waiter of waiters) {
      if (waiter.names.every((name) => marks.some((m) => m.name === name))) {
        waiters.delete(waiter);
        waiter.resolve(marks.slice());
      }
    }
  };
  const mark = (name: string, detail?: Record<string, unknown>, t = performance.now()) => {
    marks.push(detail === undefined ? { name, t } : { name, t, detail });
    console.timeStamp(name); // a TimeStamp event in a Chromium trace (BENCH_TRACE)
    settle();
  };

  const bench = {
    marks,
    pcs,
    autoAccept: false,
    autoAcceptDelayMs: 0,
    timeOrigin: performance.timeOrigin,
    mark,
    reset() {
      marks.length = 0;
    },
    /** Resolves with every mark once all `names` were marked; rejects after `timeoutMs`. */
    waitFor(names: string[], timeoutMs: number): Promise<Mark[]> {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { names, resolve };
        waiters.add(waiter);
        settle();
        setTimeout(() => {
          if (!waiters.delete(waiter)) return;
          const missing = names.filter((name) => !marks.some((m) => m.name === name));
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${missing.join(', ')}; marks: ` +
                marks.map((m) => `${m.name}@${m.t.toFixed(1)}`).join(' '),
            ),
          );
        }, timeoutMs);
      });
    },
    /** Local and remote candidate types of the selected pair of `pc` (the newest one if absent). */
    async pairInfo(pc?: RTCPeerConnection): Promise<Record<string, unknown>> {
      const target = pc ?? pcs[pcs.length - 1];
      if (!target) return { error: 'no peer connection' };
      const stats = await target.getStats();
      let pair: Record<string, unknown> | undefined;
      stats.forEach((report: Record<string, unknown>) => {
        if (report.type === 'transport' && typeof report.selectedCandidatePairId === 'string')
          pair = stats.get(report.selectedCandidatePairId) as Record<string, unknown> | undefined;
      });
      if (!pair)
        stats.forEach((report: Record<string, unknown>) => {
          if (report.type === 'candidate-pair' && report.nominated && report.state === 'succeeded')
            pair = report;
        });
      if (!pair) return { error: 'no selected candidate pair' };
      const local = stats.get(pair.localCandidateId as string) as Record<string, unknown>;
      const remote = stats.get(pair.remoteCandidateId as string) as Record<string, unknown>;
      return {
        local: local?.candidateType,
        remote: remote?.candidateType,
        protocol: local?.protocol,
        relayProtocol: local?.relayProtocol,
        localAddress: local?.address,
        remoteAddress: remote?.address,
        policy: target.getConfiguration().iceTransportPolicy,
      };
    },
  };
  win.__bench = bench;

  // --- clicks (capture phase on window: runs before React's root listener) -----------------
  window.addEventListener(
    'click',
    (event) => {
      const target = event.target as Element | null;
      const withId = target?.closest?.('[data-testid]');
      if (!withId) return;
      const now = performance.now();
      // The event's own timestamp (same time base) when it is sane, else now.
      const stamp = event.timeStamp > now - 1000 && event.timeStamp <= now ? event.timeStamp : now;
      mark(`click:${withId.getAttribute('data-testid')}`, { handledAt: now }, stamp);
    },
    true,
  );

  // --- getUserMedia ---------------------------------------------------------------------
  const mediaDevices = navigator.mediaDevices;
  if (mediaDevices?.getUserMedia) {
    const original = mediaDevices.getUserMedia.bind(mediaDevices);
    mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      mark('gum:start');
      try {
        const stream = await original(constraints);
        mark('gum:end');
        return stream;
      } catch (error) {
        mark('gum:error', { message: String(error) });
        throw error;
      }
    };
  }

  // --- WebSocket call.* frames -------------------------------------------------------------
  const NativeWebSocket = window.WebSocket;
  const requestEvents = new Map<string, string>();
  const peek = (payload: unknown): { event?: string; id?: string } | null => {
    if (typeof payload !== 'string' || (!payload.includes('"call.') && !payload.includes('"ack"')))
      return null;
    try {
      return JSON.parse(payload) as { event?: string; id?: string };
    } catch {
      return null;
    }
  };
  class ProbedWebSocket extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        const frame = peek(event.data);
        if (!frame?.event) return;
        if (frame.event.startsWith('call.')) mark(`ws:in:${frame.event}`);
        else if (frame.event === 'ack' && frame.id !== undefined) {
          const request = requestEvents.get(String(frame.id));
          if (request) {
            requestEvents.delete(String(frame.id));
            mark(`ws:in:ack:${request}`);
          }
        }
      });
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      const frame = peek(data);
      if (frame?.event?.startsWith('call.')) {
        if (frame.id !== undefined) requestEvents.set(String(frame.id), frame.event);
        mark(`ws:out:${frame.event}`);
      }
      super.send(data);
    }
  }
  window.WebSocket = ProbedWebSocket;

  // --- RTCPeerConnection --------------------------------------------------------------------
  const NativePeerConnection = window.RTCPeerConnection;
  if (NativePeerConnection) {
    class ProbedPeerConnection extends NativePeerConnection {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        const id = pcs.push(this) - 1;
        mark('pc:new', { id, policy: configuration?.iceTransportPolicy ?? 'all' });
        this.addEventListener('connectionstatechange', () =>
          mark(`pc:${this.connectionState}`, { id }),
        );
        this.addEventListener('iceconnectionstatechange', () =>
          mark(`ice:${this.iceConnectionState}`, { id }),
        );
        this.addEventListener('icegatheringstatechange', () =>
          mark(`gather:${this.iceGatheringState}`, { id }),
        );
        this.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) =>
          mark('pc:candidate', { id, type: event.candidate?.type ?? null }),
        );
        this.addEventListener('track', (event: RTCTrackEvent) => {
          const { track } = event;
          mark('pc:track', { id, kind: track.kind });
          // A remote track starts muted and unmutes when its first packets arrive.
          if (track.muted)
            track.addEventListener('unmute', () => mark(`track:unmute:${track.kind}`, { id }), {
              once: true,
            });
        });
      }
    }
    window.RTCPeerConnection = ProbedPeerConnection;
  }

  // --- remote video first frame, and the auto-accept -------------------------------------
  const hookVideo = (video: HTMLVideoElement) => {
    const state = video as HTMLVideoElement & { __benchHooked?: boolean; __benchSeen?: boolean };
    if (state.__benchHooked) return;
    state.__benchHooked = true;
    const arm = () => {
      if (state.__benchSeen) return;
      video.requestVideoFrameCallback((_now, metadata) => {
        if (state.__benchSeen) return;
        state.__benchSeen = true;
        mark('video:firstFrame', {
          receiveTime: metadata.receiveTime,
          presentationTime: metadata.presentationTime,
          width: metadata.width,
          height: metadata.height,
        });
      });
    };
    arm();
    // A new srcObject (or un-hiding with a reload) resets the element: ask again.
    video.addEventListener('loadstart', arm);
    video.addEventListener('emptied', arm);
  };
  const clickAccept = (prompt: Element) => {
    const state = prompt as Element & { __benchPrompted?: boolean };
    if (state.__benchPrompted) return;
    state.__benchPrompted = true;
    mark('prompt');
    if (!bench.autoAccept) return;
    const accept = () => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="call-accept"]');
      if (!button || button.disabled) {
        mark('accept:missing');
        return;
      }
      mark('accept:click');
      button.click();
    };
    if (bench.autoAcceptDelayMs > 0) setTimeout(accept, bench.autoAcceptDelayMs);
    else accept();
  };
  const scan = (root: Element) => {
    if (root.matches('video[data-testid="remote-video"]')) hookVideo(root as HTMLVideoElement);
    if (root.matches('[data-testid="incoming-call"]')) clickAccept(root);
    root.querySelectorAll<HTMLVideoElement>('video[data-testid="remote-video"]').forEach(hookVideo);
    root.querySelectorAll('[data-testid="incoming-call"]').forEach(clickAccept);
  };
  new MutationObserver((records) => {
    for (const record of records)
      record.addedNodes.forEach((node) => {
        if (node.nodeType === Node.ELEMENT_NODE) scan(node as Element);
      });
  }).observe(document, { childList: true, subtree: true });
}

/** The shape of `window.__bench` as the Node side sees it (for `page.evaluate`). */
export interface ProbeMark {
  name: string;
  t: number;
  detail?: Record<string, unknown>;
}
