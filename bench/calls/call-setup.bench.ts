/**
 * Call set-up benchmark: how long a Duplex video call takes from the click on "Video" to the
 * caller's peer connection being connected and to the first remote frame on the caller's
 * screen, direct and relayed through a loopback coturn, against the floor: a bare
 * RTCPeerConnection pair in one page with no signalling server. See docs/benchmarks.md
 * ("Call set-up") for the method and the results. Start it with `bash bench/calls/run.sh`.
 *
 * Environment: BENCH_CALLS (measured calls per series, default 10), BENCH_WARMUP (unreported
 * warm-up rounds, default 1), BENCH_CALL_TIMEOUT_MS (per call, default 20000),
 * BENCH_SIGNALLING_RTT_MS (default 0: the pages reach the api, and the bare pair its signalling
 * server, through a proxy adding this round trip; the media stay on loopback), BENCH_TRACE=1
 * (Chromium traces of both browsers during the first measured direct call, to
 * bench/results/trace-{caller,callee}.json; `node bench/calls/trace-cpu.mjs` sums them up).
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  expect,
  test,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import { chromiumLaunchOptions } from '../../e2e/support/browser.js';
import { ChatUser, uniqueRoomName } from '../../e2e/support/room-page.js';
import type { FrameLog } from '../../e2e/support/ws-frames.js';
import {
  API_ENTRY,
  assertBuildsExist,
  findFreePort,
  LOOPBACK,
  REPO_ROOT,
  startApi,
  startWeb,
  type RunningServer,
} from '../../e2e/support/servers.js';
import { startTurnServer, type TurnServer } from '../../e2e/support/turn.js';
import {
  bareAnswerCalls,
  bareCall,
  bareJoin,
  type BareCallOptions,
  type BareCallResult,
} from './bare-pair.js';
import { startBareSignalling } from './bare-signalling.js';
import { startLatencyProxy } from './latency-proxy.js';
import { floorCall, type FloorOptions, type FloorResult } from './floor.js';
import { MachineCpu, type CpuSpent } from './machine-cpu.js';
import { installCallProbe, type ProbeMark } from './probe.js';
import { ms, ratio, summarize, table, type SeriesSummary } from './report.js';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULTS_DIR = join(BENCH_DIR, 'results');
const CALLS = Number(process.env.BENCH_CALLS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CALL_TIMEOUT_MS = Number(process.env.BENCH_CALL_TIMEOUT_MS ?? 20_000);
const SIGNALLING_RTT_MS = Number(process.env.BENCH_SIGNALLING_RTT_MS ?? 0);
/** BENCH_TRACE=1: Chromium traces of both browsers during the first measured direct call. */
const TRACE = process.env.BENCH_TRACE === '1';
const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'v8.execute',
  'blink',
  'cc',
  'viz',
  'gpu',
  'media',
  'webrtc',
];
const traceFile = (side: 'caller' | 'callee') => join(RESULTS_DIR, `trace-${side}.json`);
let traced = false;
/** Samples the machine's CPU for the whole test: see ./machine-cpu.ts. */
const machineCpu = new MachineCpu();
/** Origin of the floor page: never contacted, Playwright answers it (page.route). Loopback, so a secure context. */
const FLOOR_URL = `http://${LOOPBACK}:9/call-floor`;

type SeriesId =
  | 'duplex-direct'
  | 'duplex-relay'
  | 'duplex-direct-person'
  | 'duplex-relay-person'
  | 'floor-direct-gum'
  | 'floor-direct'
  | 'floor-relay-gum'
  | 'floor-relay'
  | 'floor-direct-noice'
  | 'bare-direct'
  | 'bare-relay';

interface SeriesInfo {
  id: SeriesId;
  label: string;
  start: string;
}

const SERIES: readonly SeriesInfo[] = [
  { id: 'duplex-direct', label: 'Duplex, direct', start: 'click on Video' },
  {
    id: 'floor-direct-gum',
    label: 'floor, direct, incl. getUserMedia',
    start: 'caller getUserMedia',
  },
  { id: 'floor-direct', label: 'floor, direct', start: 'createOffer' },
  { id: 'bare-direct', label: 'bare pair, two browsers, direct', start: 'caller getUserMedia' },
  { id: 'duplex-relay', label: 'Duplex, relay (`?relay=1`)', start: 'click on Video' },
  {
    id: 'floor-relay-gum',
    label: 'floor, relay, incl. getUserMedia',
    start: 'caller getUserMedia',
  },
  { id: 'floor-relay', label: 'floor, relay', start: 'createOffer' },
  { id: 'bare-relay', label: 'bare pair, two browsers, relay', start: 'caller getUserMedia' },
  { id: 'floor-direct-noice', label: 'floor, direct, no ICE servers', start: 'createOffer' },
  {
    id: 'duplex-direct-person',
    label: 'Duplex, direct, answered after 1 s',
    start: 'click on Accept',
  },
  {
    id: 'duplex-relay-person',
    label: 'Duplex, relay, answered after 1 s',
    start: 'click on Accept',
  },
];

interface Sample {
  round: number;
  warmup: boolean;
  ok: boolean;
  error?: string;
  connectedMs?: number;
  firstFrameMs?: number;
  pair?: Record<string, unknown>;
  /** Duplex: consecutive segments of the timeline (ms), summing to firstFrameMs. */
  segments?: Record<string, number>;
  /** Duplex: raw marks of both pages, on the caller's clock. */
  marks?: { side: 'caller' | 'callee'; name: string; t: number; type?: unknown }[];
  floor?: FloorResult;
  bare?: BareCallResult;
  /** Duplex: the ALONGSIDE spans (ms). */
  alongside?: Record<string, number>;
  /** Duplex, answered by a person: the first remote frame on the callee's screen, from its Accept. */
  calleeFirstFrameMs?: number;
  /** Duplex and the bare pair: CPU of the whole machine from the start to the first frame. */
  cpu?: CpuSpent;
  /**
   * What each page's renderer spent on the call: for Duplex from just before the click until
   * the runner saw the first frame (a few milliseconds past it); for the bare pair from before
   * its caller's getUserMedia until its call was hung up.
   */
  pages?: { caller: PageTime; callee: PageTime };
  /** Duplex: callee clock → caller clock, by round-trip sync and by timeOrigin (ms). */
  clock?: { shift: number; syncRttMs: number; timeOriginShift: number };
}

/**
 * Segments of a Duplex call, in order: [label, side of the end mark, end mark]. The media open
 * alongside (see ALONGSIDE): the caller's while the callee's phone rings, the callee's while
 * the offer and the answer travel.
 */
const DUPLEX_TIMELINE: readonly [string, 'caller' | 'callee', string][] = [
  ['click → call.invite written (React handler, CallManager.call)', 'caller', 'ws:out:call.invite'],
  ['call.invite through the api (caller → callee) ¹', 'callee', 'ws:in:call.invite'],
  ['callee: invite → prompt on screen (render)', 'callee', 'prompt'],
  ['callee: prompt → Accept clicked (bench auto-accept)', 'callee', 'accept:click'],
  ['callee: Accept → call.accept written', 'callee', 'ws:out:call.accept'],
  ['call.accept through the api (callee → caller) ¹', 'caller', 'ws:in:call.accept'],
  [
    'caller: accept → call.offer written (made while ringing, held until now)',
    'caller',
    'ws:out:call.offer',
  ],
  ['call.offer through the api ¹', 'callee', 'ws:in:call.offer'],
  ['callee: offer → call.answer written', 'callee', 'ws:out:call.answer'],
  ['call.answer through the api ¹', 'caller', 'ws:in:call.answer'],
  [
    'caller: answer → connected (ICE checks, DTLS; candidates via the api)',
    'caller',
    'pc:connected',
  ],
  ['connected → remote video track unmuted (first packets)', 'caller', 'track:unmute:video'],
  ['unmuted → first remote frame shown', 'caller', 'video:firstFrame'],
];

/** Spans reported beside the timeline (not in its sum): [label, side, from mark, to mark]. */
const ALONGSIDE: readonly [string, 'caller' | 'callee', string, string][] = [
  ['caller getUserMedia', 'caller', 'gum:start', 'gum:end'],
  ['callee getUserMedia (from Accept)', 'callee', 'gum:start', 'gum:end'],
  [
    'caller: click → its ICE gathering starts (after its offer is set)',
    'caller',
    'click:call-video',
    'gather:gathering',
  ],
  [
    "call.invite written → its ack back, on the caller's clock ²",
    'caller',
    'ws:out:call.invite',
    'ws:in:ack:call.invite',
  ],
  [
    "call.accept written → its ack back, on the callee's clock ²",
    'callee',
    'ws:out:call.accept',
    'ws:in:ack:call.accept',
  ],
  [
    "call.offer written → its ack back, on the caller's clock ²",
    'caller',
    'ws:out:call.offer',
    'ws:in:ack:call.offer',
  ],
  [
    "call.answer written → its ack back, on the callee's clock ²",
    'callee',
    'ws:out:call.answer',
    'ws:in:ack:call.answer',
  ],
];

const noFrames: FrameLog = { lines: [], attachTo: async () => {} };

interface Party {
  user: ChatUser;
  page: Page;
}
interface DuplexPair {
  caller: Party;
  callee: Party;
  relay: boolean;
}

/** How long a person takes to click Accept, in the series that has one answer. */
const PERSON_ACCEPT_DELAY_MS = 1000;

function turnCredentials(secret: string, user: string, ttlSeconds = 3600) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * Offset of a page's performance.now() from this process's (both CLOCK_MONOTONIC, no drift):
 * node ≈ page + offset, from the sample with the shortest round trip (error ≤ rtt / 2).
 */
async function clockOffset(page: Page, samples = 9): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Number.POSITIVE_INFINITY };
  for (let i = 0; i < samples; i++) {
    const before = performance.now();
    const inPage = await page.evaluate(() => performance.now());
    const after = performance.now();
    if (after - before < best.rtt)
      best = { offset: (before + after) / 2 - inPage, rtt: after - before };
  }
  return best;
}

async function probeMarks(page: Page): Promise<{ origin: number; marks: ProbeMark[] }> {
  return page.evaluate(() => {
    const bench = (window as unknown as { __bench: { timeOrigin: number; marks: ProbeMark[] } })
      .__bench;
    return { origin: bench.timeOrigin, marks: bench.marks.slice() };
  });
}

/** `acceptDelayMs`: a callee clicks Accept that long after the prompt appears (null: never). */
function resetProbe(page: Page, acceptDelayMs: number | null): Promise<void> {
  return page.evaluate((delay) => {
    const bench = (
      window as unknown as {
        __bench: { reset(): void; autoAccept: boolean; autoAcceptDelayMs: number };
      }
    ).__bench;
    bench.reset();
    bench.autoAccept = delay !== null;
    bench.autoAcceptDelayMs = delay ?? 0;
  }, acceptDelayMs);
}

function callPhase(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const call = (
      window as unknown as {
        __duplexCall?: { manager: { current: { getSnapshot(): { phase: string } } | null } };
      }
    ).__duplexCall;
    return call?.manager.current?.getSnapshot().phase ?? null;
  });
}

/** Hangs up whatever call is up on either side and closes the ended call views. */
async function endCall(pair: DuplexPair): Promise<void> {
  for (const party of [pair.caller, pair.callee]) {
    await party.page.evaluate(async () => {
      const call = (
        window as unknown as {
          __duplexCall?: { manager: { current: { hangUp(): Promise<void> } | null } };
        }
      ).__duplexCall;
      await call?.manager.current?.hangUp();
    });
  }
  for (const party of [pair.caller, pair.callee]) {
    await expect.poll(() => callPhase(party.page), { timeout: 10_000 }).toMatch(/^(ended|null)$/);
    const close = party.page.getByTestId('call-close');
    if (await close.isVisible()) await close.click().catch(() => {});
    await expect(party.page.getByTestId('call-view')).toHaveCount(0, { timeout: 10_000 });
  }
}

/**
 * One Duplex call. The callee accepts at once (`acceptDelayMs` 0: times from the caller's click)
 * or as a person would (times from the callee's click on Accept, and `calleeFirstFrameMs`).
 */
async function duplexCall(
  pair: DuplexPair,
  round: number,
  warmup: boolean,
  acceptDelayMs = 0,
): Promise<Sample> {
  const { caller, callee } = pair;
  const person = acceptDelayMs > 0;
  const button = caller.page.locator(
    `[data-testid="member"][data-name="${callee.user.name}"] [data-testid="call-video"]`,
  );
  await expect(button).toBeEnabled({ timeout: 10_000 });
  await Promise.all([resetProbe(caller.page, null), resetProbe(callee.page, acceptDelayMs)]);
  const calleeConnected = callee.page
    .evaluate(
      ({ timeout, names }) =>
        (
          window as unknown as { __bench: { waitFor(n: string[], t: number): Promise<unknown> } }
        ).__bench
          .waitFor(names, timeout)
          .then(() => null),
      {
        timeout: CALL_TIMEOUT_MS,
        names: person ? ['pc:connected', 'video:firstFrame'] : ['pc:connected'],
      },
    )
    .catch((error: unknown) => String(error));
  const trace = TRACE && !warmup && !pair.relay && !traced && !person;
  let tracing = false;
  const stopTracing = async () => {
    if (!tracing) return;
    tracing = false;
    await caller.user.browser.stopTracing();
    await callee.user.browser.stopTracing();
  };
  try {
    if (trace) {
      traced = true;
      tracing = true;
      for (const { user, page } of [caller, callee])
        await user.browser.startTracing(page, {
          path: traceFile(page === caller.page ? 'caller' : 'callee'),
          categories: TRACE_CATEGORIES,
        });
    }
    const pagesBefore = await Promise.all([pageTime(caller.page), pageTime(callee.page)]);
    await button.click();
    await caller.page.evaluate(
      (timeout) =>
        (
          window as unknown as { __bench: { waitFor(n: string[], t: number): Promise<unknown> } }
        ).__bench
          .waitFor(['click:call-video', 'pc:connected', 'video:firstFrame'], timeout)
          .then(() => null),
      CALL_TIMEOUT_MS,
    );
    await stopTracing();
    const calleeError = await calleeConnected;
    const pagesAfter = await Promise.all([pageTime(caller.page), pageTime(callee.page)]);
    if (calleeError) throw new Error(`callee: ${calleeError}`);
    const pairInfo = await caller.page.evaluate(() =>
      (
        window as unknown as { __bench: { pairInfo(): Promise<Record<string, unknown>> } }
      ).__bench.pairInfo(),
    );
    const [callerProbe, calleeProbe] = await Promise.all([
      probeMarks(caller.page),
      probeMarks(callee.page),
    ]);
    const callerClock = await clockOffset(caller.page);
    const calleeClock = await clockOffset(callee.page);
    const shift = calleeClock.offset - callerClock.offset; // callee time + shift = caller time
    const marks = [
      ...callerProbe.marks.map((m) => ({
        side: 'caller' as const,
        name: m.name,
        t: m.t,
        detail: m.detail,
      })),
      ...calleeProbe.marks.map((m) => ({
        side: 'callee' as const,
        name: m.name,
        t: m.t + shift,
        detail: m.detail,
      })),
    ];
    const first = (side: 'caller' | 'callee', name: string) =>
      marks.find((m) => m.side === side && m.name === name)?.t;
    const clickAt = first('caller', 'click:call-video')!;
    const acceptAt = first('callee', 'accept:click');
    if (acceptAt === undefined) throw new Error('the callee never clicked Accept');
    // A person's call is timed from the click on Accept; an instant answer's from the caller's click.
    const t0 = person ? acceptAt : clickAt;
    // A traced call spends CPU on the tracing: not counted.
    const cpu = trace
      ? null
      : machineCpu.between(
          t0 + callerClock.offset,
          first('caller', 'video:firstFrame')! + callerClock.offset,
        );
    const policy = callerProbe.marks.find((m) => m.name === 'pc:new')?.detail?.policy;
    const wantPolicy = pair.relay ? 'relay' : 'all';
    if (policy !== wantPolicy)
      throw new Error(`caller iceTransportPolicy ${String(policy)}, expected ${wantPolicy}`);
    const segments: Record<string, number> = {};
    let previous = clickAt;
    for (const [label, side, name] of DUPLEX_TIMELINE) {
      const at = first(side, name);
      if (at === undefined) continue;
      segments[label] = at - previous;
      previous = at;
    }
    const alongside: Record<string, number> = {};
    for (const [label, side, from, to] of ALONGSIDE) {
      const start = first(side, from);
      const end = first(side, to);
      if (start !== undefined && end !== undefined) alongside[label] = end - start;
    }
    return {
      round,
      warmup,
      ok: true,
      alongside,
      clock: {
        shift,
        syncRttMs: Math.max(callerClock.rtt, calleeClock.rtt),
        timeOriginShift: calleeProbe.origin - callerProbe.origin,
      },
      ...(cpu && { cpu }),
      ...(!trace && { pages: pagesSpent(pagesBefore, pagesAfter) }),
      connectedMs: first('caller', 'pc:connected')! - t0,
      firstFrameMs: first('caller', 'video:firstFrame')! - t0,
      ...(person && { calleeFirstFrameMs: first('callee', 'video:firstFrame')! - t0 }),
      pair: pairInfo,
      segments,
      marks: marks
        .map(({ side, name, t, detail }) => ({
          side,
          name,
          t: Math.round((t - clickAt) * 10) / 10,
          ...(name === 'pc:candidate' && { type: detail?.type ?? null }),
        }))
        .sort((a, b) => a.t - b.t),
    };
  } finally {
    await stopTracing(); // a failed call keeps its trace too
    await endCall(pair);
  }
}

function floorSample(
  page: Page,
  options: FloorOptions,
  round: number,
  warmup: boolean,
): Promise<Sample> {
  return page
    .evaluate(floorCall, options)
    .then((floor) => ({ ...inPageSample(floor, round, warmup), floor }));
}

async function bareSample(
  pages: { caller: Page; callee: Page },
  options: BareCallOptions,
  round: number,
  warmup: boolean,
): Promise<Sample> {
  const pagesBefore = await Promise.all([pageTime(pages.caller), pageTime(pages.callee)]);
  const bare = await pages.caller.evaluate(bareCall, options);
  const pagesAfter = await Promise.all([pageTime(pages.caller), pageTime(pages.callee)]);
  const { offset } = await clockOffset(pages.caller);
  const cpu = machineCpu.between(bare.window.from + offset, bare.window.to + offset);
  return {
    ...inPageSample(bare, round, warmup),
    bare,
    ...(cpu && { cpu }),
    pages: pagesSpent(pagesBefore, pagesAfter),
  };
}

/** The sample of a call the page timed itself (the floor, the bare pair's caller). */
function inPageSample(
  result: FloorResult | BareCallResult,
  round: number,
  warmup: boolean,
): Sample {
  const { connectedMs, firstFrameMs, pair } = result;
  return { round, warmup, ok: true, connectedMs, firstFrameMs, pair };
}

/** Calls measured for the ringing load, and how long each rings (after its prompt is up). */
const RING_SAMPLES = 3;
const RING_WINDOW_MS = 2000;

/** Main-thread time of each side's page per second of ringing (ms/s). */
interface RingingLoad {
  caller: number;
  callee: number;
}

/** A page's renderer as `Performance.getMetrics` counts it so far, in ms. */
interface PageTime {
  /** `TaskDuration`: wall time of the main thread's tasks (a task waiting for a core counts). */
  tasks: number;
  /** `ThreadTime`: CPU time of the main thread. */
  mainThread: number;
  /** `ProcessTime`: CPU time of the whole renderer process (in 10 ms steps). */
  renderer: number;
}

const pageTimeReaders = new WeakMap<Page, () => Promise<PageTime>>();

async function pageTime(page: Page): Promise<PageTime> {
  let read = pageTimeReaders.get(page);
  if (!read) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    read = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const ms = (name: string) =>
        (metrics.find((metric) => metric.name === name)?.value ?? Number.NaN) * 1000;
      return {
        tasks: ms('TaskDuration'),
        mainThread: ms('ThreadTime'),
        renderer: ms('ProcessTime'),
      };
    };
    pageTimeReaders.set(page, read);
  }
  return read();
}

/** What both pages spent between two readings of {@link pageTime}. */
function pagesSpent(before: PageTime[], after: PageTime[]): { caller: PageTime; callee: PageTime } {
  const spent = (i: number): PageTime => ({
    tasks: after[i]!.tasks - before[i]!.tasks,
    mainThread: after[i]!.mainThread - before[i]!.mainThread,
    renderer: after[i]!.renderer - before[i]!.renderer,
  });
  return { caller: spent(0), callee: spent(1) };
}

/**
 * Rings the callee without an answer and reads both pages' main-thread task time
 * (`Performance.getMetrics` `TaskDuration`) over RING_WINDOW_MS, then hangs up: what a ringing
 * call costs each page while nobody answers (animations, tones, the caller's preview).
 */
async function ringingLoad(pair: DuplexPair): Promise<RingingLoad> {
  const { caller, callee } = pair;
  const taskSeconds = () =>
    Promise.all([caller, callee].map(async ({ page }) => (await pageTime(page)).tasks / 1000));
  try {
    await Promise.all([resetProbe(caller.page, null), resetProbe(callee.page, null)]);
    await caller.page
      .locator(`[data-testid="member"][data-name="${callee.user.name}"] [data-testid="call-video"]`)
      .click();
    await callee.page.evaluate(
      (timeout) =>
        (
          window as unknown as { __bench: { waitFor(n: string[], t: number): Promise<unknown> } }
        ).__bench
          .waitFor(['prompt'], timeout)
          .then(() => null),
      CALL_TIMEOUT_MS,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the prompt's first render
    const before = await taskSeconds();
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, RING_WINDOW_MS));
    const after = await taskSeconds();
    const seconds = (performance.now() - startedAt) / 1000;
    const [callerLoad, calleeLoad] = after.map(
      (value, i) => ((value - before[i]!) * 1000) / seconds,
    );
    return { caller: callerLoad!, callee: calleeLoad! };
  } finally {
    await endCall(pair);
  }
}

/** A page of its own in `browser`, loaded from the bare signalling server at `url`, its socket open. */
async function barePage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(installCallProbe);
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.evaluate(bareJoin, `${url.replace(/^http/, 'ws')}/pair`);
  return page;
}

async function newParty(browser: Browser, baseURL: string, name: string): Promise<Party> {
  const context: BrowserContext = await browser.newContext({ baseURL });
  await context.addInitScript(installCallProbe);
  const page = await context.newPage();
  return { user: new ChatUser(name, browser, context, page, noFrames), page };
}

/** Both parties set their names and join `room`; with `relay`, the room page is reloaded with `?relay=1`. */
async function joinPair(caller: Party, callee: Party, room: string, relay: boolean): Promise<void> {
  const both = [caller, callee];
  await Promise.all(both.map((p) => p.user.openLobbyAndSetName()));
  await Promise.all(both.map((p) => p.user.joinFromLobby(room)));
  if (relay) {
    // The CallManager reads ?relay=1 once, when the page's first one is made: load the room with it.
    await Promise.all(both.map((p) => p.page.goto(`/rooms/${room}?relay=1`)));
    await Promise.all(both.map((p) => p.user.expectReady()));
  }
  const names = both.map((p) => p.user.name);
  await Promise.all(both.map((p) => p.user.expectMembers(names, 30_000)));
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

test('call set-up: Duplex vs a bare RTCPeerConnection pair', async () => {
  test.setTimeout(8 * 60_000);
  assertBuildsExist();
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const servers: { stop(): Promise<void> }[] = [];
  const browsers: Browser[] = [];
  const samples = new Map<SeriesId, Sample[]>(SERIES.map((s) => [s.id, []]));
  const ringing: RingingLoad[] = [];
  let chromiumVersion: string;
  let turn: TurnServer | undefined;
  let api: RunningServer | undefined;

  machineCpu.start();
  try {
    // --- servers: coturn, then the api pointed at it, then the web app -------------------
    turn = await startTurnServer();
    servers.push(turn);
    const apiPort = await findFreePort();
    let webPort = await findFreePort();
    while (webPort === apiPort) webPort = await findFreePort();
    const webUrl = `http://${LOOPBACK}:${webPort}`;
    api = await startApi({
      port: apiPort,
      allowedOrigins: [webUrl],
      env: { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret },
    });
    servers.push(api);
    /** Where the pages reach `server`: itself, or a proxy adding SIGNALLING_RTT_MS. */
    const reach = async (server: { url: string }): Promise<string> => {
      if (SIGNALLING_RTT_MS <= 0) return server.url;
      const { hostname, port } = new URL(server.url);
      const proxy = await startLatencyProxy(
        LOOPBACK,
        { host: hostname, port: Number(port) },
        SIGNALLING_RTT_MS / 2,
      );
      servers.push(proxy);
      return proxy.url;
    };
    const apiUrl = await reach(api);
    const web = await startWeb({ port: webPort, apiUrl });
    servers.push(web);
    console.log(
      `calls: coturn ${turn.urls[0]}, api ${apiUrl}, web ${web.url}` +
        (SIGNALLING_RTT_MS > 0 ? `, signalling round trip +${SIGNALLING_RTT_MS} ms` : ''),
    );

    // --- browsers: A holds the callers and the floor page, B the callees -----------------
    const [browserA, browserB] = await Promise.all([
      chromium.launch(chromiumLaunchOptions()),
      chromium.launch(chromiumLaunchOptions()),
    ]);
    browsers.push(browserA!, browserB!);
    chromiumVersion = browserA!.version();
    const direct: DuplexPair = {
      caller: await newParty(browserA!, web.url, 'Alice'),
      callee: await newParty(browserB!, web.url, 'Bob'),
      relay: false,
    };
    const relay: DuplexPair = {
      caller: await newParty(browserA!, web.url, 'Carol'),
      callee: await newParty(browserB!, web.url, 'Dave'),
      relay: true,
    };
    await joinPair(direct.caller, direct.callee, uniqueRoomName('bench-direct'), false);
    await joinPair(relay.caller, relay.callee, uniqueRoomName('bench-relay'), true);

    const floorContext = await browserA!.newContext();
    await floorContext.addInitScript(installCallProbe);
    await floorContext.route(FLOOR_URL, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>floor</title><body></body>',
      }),
    );
    const floorPage = await floorContext.newPage();
    await floorPage.goto(FLOOR_URL);

    // The bare pair: caller in browser A, callee in browser B, like the Duplex pages.
    const signalling = await startBareSignalling(LOOPBACK);
    servers.push(signalling);
    const signallingUrl = await reach(signalling);
    const bareCaller = await barePage(browserA!, signallingUrl);
    const bareCallee = await barePage(browserB!, signallingUrl);
    await bareCallee.evaluate(bareAnswerCalls);

    const turnServer = { urls: turn.urls, ...turnCredentials(turn.secret, 'bench-floor') };
    const floorOptions = (withGetUserMedia: boolean, config: RTCConfiguration): FloorOptions => ({
      withGetUserMedia,
      config,
      timeoutMs: CALL_TIMEOUT_MS,
    });
    const runners: Record<SeriesId, (round: number, warmup: boolean) => Promise<Sample>> = {
      'duplex-direct': (r, w) => duplexCall(direct, r, w),
      'duplex-relay': (r, w) => duplexCall(relay, r, w),
      'duplex-direct-person': (r, w) => duplexCall(direct, r, w, PERSON_ACCEPT_DELAY_MS),
      'duplex-relay-person': (r, w) => duplexCall(relay, r, w, PERSON_ACCEPT_DELAY_MS),
      // The same TURN server the Duplex pages are given, policy "all": only signalling differs.
      'floor-direct-gum': (r, w) =>
        floorSample(floorPage, floorOptions(true, { iceServers: [turnServer] }), r, w),
      'floor-direct': (r, w) =>
        floorSample(floorPage, floorOptions(false, { iceServers: [turnServer] }), r, w),
      'floor-relay-gum': (r, w) =>
        floorSample(
          floorPage,
          floorOptions(true, { iceServers: [turnServer], iceTransportPolicy: 'relay' }),
          r,
          w,
        ),
      'floor-relay': (r, w) =>
        floorSample(
          floorPage,
          floorOptions(false, { iceServers: [turnServer], iceTransportPolicy: 'relay' }),
          r,
          w,
        ),
      'floor-direct-noice': (r, w) =>
        floorSample(floorPage, floorOptions(false, { iceServers: [] }), r, w),
      'bare-direct': (r, w) =>
        bareSample(
          { caller: bareCaller, callee: bareCallee },
          { config: { iceServers: [turnServer] }, timeoutMs: CALL_TIMEOUT_MS },
          r,
          w,
        ),
      'bare-relay': (r, w) =>
        bareSample(
          { caller: bareCaller, callee: bareCallee },
          {
            config: { iceServers: [turnServer], iceTransportPolicy: 'relay' },
            timeoutMs: CALL_TIMEOUT_MS,
          },
          r,
          w,
        ),
    };

    // --- rounds: every series once per round, so slow moments of a shared machine hit all ----
    for (let round = 0; round < WARMUP + CALLS; round++) {
      const warmup = round < WARMUP;
      const line: string[] = [];
      for (const series of SERIES) {
        let sample: Sample;
        try {
          sample = await runners[series.id](round, warmup);
        } catch (error) {
          sample = { round, warmup, ok: false, error: String(error).slice(0, 2000) };
        }
        samples.get(series.id)!.push(sample);
        line.push(
          `${series.id} ${sample.ok ? `${ms(sample.connectedMs!)}/${ms(sample.firstFrameMs!)}` : 'FAILED'}`,
        );
        if (!sample.ok) console.log(`calls: round ${round} ${series.id} failed: ${sample.error}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      console.log(
        `calls: round ${round}${warmup ? ' (warm-up)' : ''}: ${line.join(', ')} (connected/first frame ms)`,
      );
    }

    // --- ringing: how busy each page's main thread is while a call rings unanswered ---------
    for (let ring = 0; ring < RING_SAMPLES; ring++) ringing.push(await ringingLoad(direct));
    console.log(
      `calls: while ringing, main thread ms per second: ${ringing.map((r) => `${ms(r.caller)}/${ms(r.callee)}`).join(', ')} (caller/callee)`,
    );
  } finally {
    machineCpu.stop();
    await Promise.all(browsers.map((browser) => browser.close().catch(() => {})));
    for (const server of servers.reverse()) await server.stop().catch(() => {});
  }

  // --- report ------------------------------------------------------------------------------
  const loadEnd = os.loadavg();
  const measured = (id: SeriesId) => samples.get(id)!.filter((s) => !s.warmup);
  const summary = {} as Record<
    SeriesId,
    {
      connected: SeriesSummary;
      firstFrame: SeriesSummary;
      cpu: SeriesSummary;
      steal: SeriesSummary;
      /** Both pages' main-thread CPU per set-up. */
      mainThread: SeriesSummary;
      pairs: string[];
    }
  >;
  for (const series of SERIES) {
    const all = measured(series.id);
    const ok = all.filter((s) => s.ok);
    summary[series.id] = {
      connected: summarize(
        ok.map((s) => s.connectedMs!),
        all.length - ok.length,
      ),
      firstFrame: summarize(
        ok.map((s) => s.firstFrameMs!),
        all.length - ok.length,
      ),
      cpu: summarize(ok.filter((s) => s.cpu).map((s) => s.cpu!.busyMs)),
      steal: summarize(ok.filter((s) => s.cpu).map((s) => s.cpu!.stealMs)),
      mainThread: summarize(
        ok
          .filter((s) => s.pages)
          .map((s) => s.pages!.caller.mainThread + s.pages!.callee.mainThread),
      ),
      pairs: [...new Set(ok.map((s) => `${String(s.pair?.local)}/${String(s.pair?.remote)}`))],
    };
  }
  const mainTable = table(
    [
      'series',
      'measured from',
      'calls ok',
      '→ connected median ms',
      'worst',
      '→ first frame median ms',
      'worst',
      'pair (local/remote)',
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
    SERIES.map((series) => {
      const s = summary[series.id];
      return [
        series.label,
        series.start,
        `${s.connected.n}/${s.connected.n + s.connected.failed}`,
        ms(s.connected.median),
        ms(s.connected.worst),
        ms(s.firstFrame.median),
        ms(s.firstFrame.worst),
        s.pairs.join(', '),
      ];
    }),
  );
  const ratios = {
    direct: {
      vsFloorWithGum:
        summary['duplex-direct'].firstFrame.median / summary['floor-direct-gum'].firstFrame.median,
      vsFloor:
        summary['duplex-direct'].firstFrame.median / summary['floor-direct'].firstFrame.median,
      vsBare: summary['duplex-direct'].firstFrame.median / summary['bare-direct'].firstFrame.median,
    },
    relay: {
      vsFloorWithGum:
        summary['duplex-relay'].firstFrame.median / summary['floor-relay-gum'].firstFrame.median,
      vsFloor: summary['duplex-relay'].firstFrame.median / summary['floor-relay'].firstFrame.median,
      vsBare: summary['duplex-relay'].firstFrame.median / summary['bare-relay'].firstFrame.median,
    },
  };
  // Issue 15's target: click → first frame within 1.2× the bare pair's.
  const TARGET_RATIO = 1.2;
  const verdict = (value: number) => (value <= TARGET_RATIO ? 'met' : 'not met');
  const ratioTable = table(
    [
      'path',
      'Duplex click → first frame, median',
      'floor incl. getUserMedia',
      'ratio',
      'floor from createOffer',
      'ratio',
      'bare pair, two browsers',
      'ratio',
      `target ≤ ${TARGET_RATIO}×`,
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    (['direct', 'relay'] as const).map((path) => {
      const d = summary[`duplex-${path}`].firstFrame.median;
      const fg = summary[`floor-${path}-gum`].firstFrame.median;
      const f = summary[`floor-${path}`].firstFrame.median;
      const b = summary[`bare-${path}`].firstFrame.median;
      return [
        path,
        `${ms(d)} ms`,
        `${ms(fg)} ms`,
        ratio(ratios[path].vsFloorWithGum),
        `${ms(f)} ms`,
        ratio(ratios[path].vsFloor),
        `${ms(b)} ms`,
        ratio(ratios[path].vsBare),
        `${verdict(ratios[path].vsFloorWithGum)} (floor incl. getUserMedia), ${verdict(ratios[path].vsFloor)} (floor from createOffer), ${verdict(ratios[path].vsBare)} (bare pair)`,
      ];
    }),
  );
  const segmentMedians = (id: SeriesId) => {
    const ok = measured(id).filter((s) => s.ok);
    return DUPLEX_TIMELINE.map(([label]) => {
      const values = ok.map((s) => s.segments?.[label]).filter((v): v is number => v !== undefined);
      return summarize(values);
    });
  };
  const directSegments = segmentMedians('duplex-direct');
  const relaySegments = segmentMedians('duplex-relay');
  const alongsideSummary = (id: SeriesId, label: string) =>
    summarize(
      measured(id)
        .filter((s) => s.ok && s.alongside?.[label] !== undefined)
        .map((s) => s.alongside![label]!),
    );
  const breakdownTable = table(
    ['Duplex call, segment', 'direct median ms', 'direct worst', 'relay median ms', 'relay worst'],
    ['l', 'r', 'r', 'r', 'r'],
    [
      ...DUPLEX_TIMELINE.map(([label], i) => [
        label,
        ms(directSegments[i]!.median, 1),
        ms(directSegments[i]!.worst, 1),
        ms(relaySegments[i]!.median, 1),
        ms(relaySegments[i]!.worst, 1),
      ]),
      ...ALONGSIDE.map(([label]) => {
        const d = alongsideSummary('duplex-direct', label);
        const r = alongsideSummary('duplex-relay', label);
        return [
          `(not in the sum) ${label}`,
          ms(d.median, 1),
          ms(d.worst, 1),
          ms(r.median, 1),
          ms(r.worst, 1),
        ];
      }),
    ],
  );
  const floorSplit = (id: SeriesId) => {
    const ok = measured(id).filter((s) => s.ok && s.floor);
    return [
      summarize(ok.map((s) => s.floor!.connectedMs)),
      summarize(
        ok.map((s) => s.floor!.videoUnmutedMs - s.floor!.connectedMs).filter(Number.isFinite),
      ),
      summarize(
        ok.map((s) => s.floor!.firstFrameMs - s.floor!.videoUnmutedMs).filter(Number.isFinite),
      ),
    ];
  };
  const floorDirectSplit = floorSplit('floor-direct');
  const floorRelaySplit = floorSplit('floor-relay');
  const floorSplitTable = table(
    [
      'floor (from createOffer), segment',
      'direct median ms',
      'direct worst',
      'relay median ms',
      'relay worst',
    ],
    ['l', 'r', 'r', 'r', 'r'],
    [
      'createOffer → connected',
      'connected → remote video track unmuted',
      'unmuted → first remote frame shown',
    ].map((label, i) => [
      label,
      ms(floorDirectSplit[i]!.median, 1),
      ms(floorDirectSplit[i]!.worst, 1),
      ms(floorRelaySplit[i]!.median, 1),
      ms(floorRelaySplit[i]!.worst, 1),
    ]),
  );
  const floorGum = (id: SeriesId) => {
    const ok = measured(id).filter((s) => s.ok && s.floor);
    return {
      caller: summarize(ok.map((s) => s.floor!.callerGumMs)),
      callee: summarize(ok.map((s) => s.floor!.calleeGumMs)),
    };
  };
  const gumTable = table(
    ['getUserMedia (fake camera + mic)', 'median ms', 'worst'],
    ['l', 'r', 'r'],
    [
      ...(['caller', 'callee'] as const).map((side) => {
        const gum = alongsideSummary(
          'duplex-direct',
          ALONGSIDE.find(([, s, from]) => s === side && from === 'gum:start')![0],
        );
        return [
          `Duplex ${side} (${side === 'caller' ? 'own' : 'other'} browser)`,
          ms(gum.median, 1),
          ms(gum.worst, 1),
        ];
      }),
      [
        'floor, first call in the page (caller)',
        ms(floorGum('floor-direct-gum').caller.median, 1),
        ms(floorGum('floor-direct-gum').caller.worst, 1),
      ],
      [
        'floor, second call in the same page (callee)',
        ms(floorGum('floor-direct-gum').callee.median, 1),
        ms(floorGum('floor-direct-gum').callee.worst, 1),
      ],
      ...(['caller', 'callee'] as const).map((side) => {
        const gum = summarize(
          measured('bare-direct')
            .filter((s) => s.ok && s.bare)
            .map((s) => (side === 'caller' ? s.bare!.callerGumMs : s.bare!.calleeGumMs)),
        );
        return [
          `bare pair ${side} (${side === 'caller' ? 'own' : 'other'} browser)`,
          ms(gum.median, 1),
          ms(gum.worst, 1),
        ];
      }),
    ],
  );

  const personTable = table(
    [
      'answered by a person (Accept 1 s after the ring)',
      'Accept → connected, median ms',
      "→ first frame on the caller's screen",
      'worst',
      "→ first frame on the callee's screen",
      'worst',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r'],
    (['duplex-direct-person', 'duplex-relay-person'] as const).map((id) => {
      const callee = summarize(
        measured(id)
          .filter((s) => s.ok && s.calleeFirstFrameMs !== undefined)
          .map((s) => s.calleeFirstFrameMs!),
      );
      const s = summary[id];
      return [
        id === 'duplex-direct-person' ? 'direct' : 'relay',
        ms(s.connected.median),
        ms(s.firstFrame.median),
        ms(s.firstFrame.worst),
        ms(callee.median),
        ms(callee.worst),
      ];
    }),
  );

  const cpuSeries: readonly [SeriesId, string][] = [
    ['duplex-direct', 'Duplex, direct (click → first frame)'],
    ['bare-direct', 'bare pair, direct (caller getUserMedia → first frame)'],
    ['duplex-relay', 'Duplex, relay'],
    ['bare-relay', 'bare pair, relay'],
    ['duplex-direct-person', 'Duplex, direct, answered after 1 s (Accept → first frame)'],
    ['duplex-relay-person', 'Duplex, relay, answered after 1 s'],
  ];
  const cpuTable = table(
    [
      'CPU of the whole machine per call set-up',
      'window median ms',
      'CPU median ms',
      'min',
      'worst',
      'CPU ÷ window',
      'steal median ms',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    cpuSeries.map(([id, label]) => {
      const s = summary[id];
      return [
        label,
        ms(s.firstFrame.median),
        ms(s.cpu.median),
        ms(s.cpu.min),
        ms(s.cpu.worst),
        `${ms((s.cpu.median / s.firstFrame.median) * 100)} %`,
        ms(s.steal.median),
      ];
    }),
  );

  const pagesTable = table(
    [
      'the two pages per call set-up, medians',
      'main thread CPU, caller + callee ms',
      'both',
      'renderer processes CPU, both ms',
      'main threads busy (wall), both ms',
    ],
    ['l', 'r', 'r', 'r', 'r'],
    (
      [
        ['duplex-direct', 'Duplex, direct'],
        ['bare-direct', 'bare pair, direct ³'],
        ['duplex-relay', 'Duplex, relay'],
        ['bare-relay', 'bare pair, relay ³'],
        ['duplex-direct-person', 'Duplex, direct, answered after 1 s'],
        ['duplex-relay-person', 'Duplex, relay, answered after 1 s'],
      ] as const
    ).map(([id, label]) => {
      const pages = measured(id)
        .filter((s) => s.ok && s.pages)
        .map((s) => s.pages!);
      const median = (value: (p: (typeof pages)[number]) => number) =>
        ms(summarize(pages.map(value)).median);
      return [
        label,
        `${median((p) => p.caller.mainThread)} + ${median((p) => p.callee.mainThread)}`,
        ms(summary[id].mainThread.median),
        median((p) => p.caller.renderer + p.callee.renderer),
        median((p) => p.caller.tasks + p.callee.tasks),
      ];
    }),
  );

  let apiBuild: string;
  try {
    apiBuild = statSync(API_ENTRY).mtime.toISOString();
  } catch {
    apiBuild = 'unknown';
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()}`,
    node: process.version,
    chromium: chromiumVersion,
    loadavgStart: loadStart.map((v) => Number(v.toFixed(2))),
    loadavgEnd: loadEnd.map((v) => Number(v.toFixed(2))),
    signallingRttMs: SIGNALLING_RTT_MS,
    networkNamespace:
      process.env.PLAYWRIGHT_LOOPBACK_NETNS === '1' ? 'private, loopback only' : 'host network',
    gitHead: gitHead(),
    apiBuildMtime: apiBuild,
  };
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const jsonPath = join(RESULTS_DIR, `calls-${stamp}.json`);
  const markdown = [
    `## Call set-up (${startedAt.toISOString()}, ${CALLS} calls per series after ${WARMUP} warm-up round(s))`,
    '',
    mainTable,
    '',
    ratioTable,
    '',
    breakdownTable,
    '',
    "¹ across the two browsers: each page's clock is synchronised to the runner's (round trip < " +
      `${ms(Math.max(...[...measured('duplex-direct'), ...measured('duplex-relay')].filter((s) => s.clock).map((s) => s.clock!.syncRttMs)), 1)} ms, error ≤ half of that); ` +
      "includes the receiving page's main-thread delay before its message handler ran.",
    "² the api forwards a frame before it acks it, so this bounds the api's share of one hop (plus the sender page's delay).",
    '',
    floorSplitTable,
    '',
    gumTable,
    '',
    personTable,
    '',
    cpuTable,
    '',
    '`/proc/stat` of both cores over each window: every process (both browsers, the api, coturn, this runner). ' +
      'Of the cores a window offers, 200 % is all of both; steal is time the host took while the machine wanted it.',
    '',
    pagesTable,
    '',
    '`Performance.getMetrics` of each page: `ThreadTime` (main thread CPU), `ProcessTime` (renderer CPU, 10 ms steps), `TaskDuration` (wall time of main-thread tasks, so a task waiting for a core counts); ' +
      'for Duplex read just before the click and once the runner saw the first frame (a few milliseconds after it; the person series include the second of ringing). ' +
      "³ the bare pair's from before its caller's getUserMedia until its call was hung up.",
    '',
    table(
      [
        'while a call rings unanswered (2 s, 3 calls)',
        'main thread ms per second, median',
        'worst',
      ],
      ['l', 'r', 'r'],
      (['caller', 'callee'] as const).map((side) => {
        const load = summarize(ringing.map((r) => r[side]));
        return [`${side}'s page`, ms(load.median, 1), ms(load.worst, 1)];
      }),
    ),
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memGiB} GiB, ${machine.platform}, Node ${machine.node}, Chromium ${machine.chromium}; ` +
      `load average ${machine.loadavgStart[0]} at start, ${machine.loadavgEnd[0]} at end; network: ${machine.networkNamespace}` +
      (SIGNALLING_RTT_MS > 0 ? `, signalling round trip +${SIGNALLING_RTT_MS} ms (proxy)` : '') +
      '; ' +
      `commit ${machine.gitHead}, api build ${machine.apiBuildMtime}.`,
  ].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        calls: CALLS,
        warmup: WARMUP,
        machine,
        series: SERIES.map((s) => ({ ...s, summary: summary[s.id], samples: samples.get(s.id) })),
        ratios,
        ringing: {
          caller: summarize(ringing.map((r) => r.caller)),
          callee: summarize(ringing.map((r) => r.callee)),
        },
        duplexSegments: DUPLEX_TIMELINE.map(([label], i) => ({
          label,
          direct: directSegments[i],
          relay: relaySegments[i],
        })),
      },
      null,
      2,
    ),
  );
  writeFileSync(jsonPath.replace(/\.json$/, '.md'), `${markdown}\n`);
  console.log(`\n${markdown}\n\ncalls: JSON written to ${relative(process.cwd(), jsonPath)}`);

  for (const series of SERIES) {
    expect(
      summary[series.id].firstFrame.n,
      `${series.label}: calls that reached the first frame`,
    ).toBeGreaterThan(0);
  }
});
