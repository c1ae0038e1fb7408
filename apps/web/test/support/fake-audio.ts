import { afterEach, beforeEach, expect, vi } from 'vitest';

/**
 * Just enough of WebAudio for the ring tones and the speaking meters: an AudioContext whose clock and state the test
 * sets, and nodes that record what was scheduled on them.
 */
export class FakeParam {
  value = 0;
  readonly events: [kind: 'set' | 'ramp', value: number, at: number][] = [];
  setValueAtTime(value: number, at: number): void {
    this.events.push(['set', value, at]);
  }
  linearRampToValueAtTime(value: number, at: number): void {
    this.events.push(['ramp', value, at]);
  }
}

class FakeNode {
  connectedTo: unknown = null;
  disconnected = false;
  connect(target: unknown): void {
    this.connectedTo = target;
  }
  disconnect(): void {
    this.disconnected = true;
  }
}

export class FakeGain extends FakeNode {
  readonly gain = new FakeParam();
}

export class FakeOscillator extends FakeNode {
  type = '';
  readonly frequency = new FakeParam();
  startAt: number | null = null;
  stopAt: number | null = null;
  onended: (() => void) | null = null;
  start(at: number): void {
    this.startAt = at;
  }
  stop(at?: number): void {
    this.stopAt = at ?? 0;
  }
}

/** A meter's nodes: they record only whether they were disconnected. */
export class FakeAnalyser extends FakeNode {
  fftSize = 2048;
  getFloatTimeDomainData(samples: Float32Array): void {
    samples.fill(0);
  }
}

export class FakeAudioContext extends EventTarget {
  /** Every context made, oldest first. */
  static readonly made: FakeAudioContext[] = [];
  /** The state a new context starts in: browsers start suspended before a user gesture. */
  static initialState: AudioContextState = 'suspended';

  state: AudioContextState = FakeAudioContext.initialState;
  currentTime = 0;
  readonly destination = { kind: 'destination' };
  readonly gains: FakeGain[] = [];
  readonly oscillators: FakeOscillator[] = [];
  suspendCalls = 0;
  resumeCalls = 0;

  constructor() {
    super();
    FakeAudioContext.made.push(this);
  }

  createGain(): FakeGain {
    const gain = new FakeGain();
    this.gains.push(gain);
    return gain;
  }

  readonly sources: FakeNode[] = [];
  readonly analysers: FakeAnalyser[] = [];

  createMediaStreamSource(): FakeNode {
    const source = new FakeNode();
    this.sources.push(source);
    return source;
  }

  createAnalyser(): FakeAnalyser {
    const analyser = new FakeAnalyser();
    this.analysers.push(analyser);
    return analyser;
  }

  createOscillator(): FakeOscillator {
    const oscillator = new FakeOscillator();
    this.oscillators.push(oscillator);
    return oscillator;
  }

  /** Like a browser's: the state reads `running` until the suspend has taken effect. */
  async suspend(): Promise<void> {
    this.suspendCalls++;
    await Promise.resolve();
    this.setState('suspended');
  }

  /** Counted only: whether the browser lets the context run is up to the test. */
  async resume(): Promise<void> {
    this.resumeCalls++;
  }

  /** What the browser does when the context starts or stops rendering. */
  setState(state: AudioContextState): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }

  static reset(): void {
    FakeAudioContext.made.length = 0;
    FakeAudioContext.initialState = 'suspended';
  }
}

/**
 * Each test of the calling file starts on a fresh page: fake timers, no AudioContext made yet;
 * afterwards real timers and globals are back.
 */
export function useFakeAudioPage(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeAudioContext.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

/** The one AudioContext the page made; fails the test if it made none or several. */
export function onlyContext(): FakeAudioContext {
  expect(FakeAudioContext.made).toHaveLength(1);
  return FakeAudioContext.made[0]!;
}

/** A `window` with timers (the test's, fake or not), events, and optionally an AudioContext. */
export function fakeWindow(audio: boolean): EventTarget & Record<string, unknown> {
  const target = new EventTarget() as EventTarget & Record<string, unknown>;
  Object.assign(target, {
    setTimeout: (handler: () => void, ms?: number) => setTimeout(handler, ms),
    clearTimeout: (id?: ReturnType<typeof setTimeout>) => clearTimeout(id),
    setInterval: (handler: () => void, ms?: number) => setInterval(handler, ms),
    clearInterval: (id?: ReturnType<typeof setInterval>) => clearInterval(id),
    ...(audio ? { AudioContext: FakeAudioContext } : {}),
  });
  return target;
}
