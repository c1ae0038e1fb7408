import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAudioContext, fakeWindow, onlyContext } from './support/fake-audio';

/** Tones and meters as a newly loaded page has them: no AudioContext made yet. */
async function loadPage() {
  vi.stubGlobal('window', fakeWindow(true));
  vi.stubGlobal(
    'MediaStream',
    class {
      constructor(readonly tracks: unknown[]) {}
    },
  );
  vi.resetModules();
  const [{ startTone }, { startAudioMeter }] = await Promise.all([
    import('@/lib/ringtone'),
    import('@/lib/audio-meter'),
  ]);
  const track = {} as MediaStreamTrack;
  return { startTone, startMeter: () => startAudioMeter(track, () => {}) };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeAudioContext.reset();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the page’s one AudioContext', () => {
  it('serves the ring tones and the speaking meters alike', async () => {
    const { startTone, startMeter } = await loadPage();
    startTone('ringback')();
    startMeter();
    startMeter();
    const ctx = onlyContext();
    expect(ctx.sources).toHaveLength(2);
    expect(ctx.analysers).toHaveLength(2);
  });

  it('asks to run when a meter starts on it suspended', async () => {
    const { startMeter } = await loadPage();
    startMeter();
    expect(onlyContext().resumeCalls).toBe(1);
  });

  it('keeps running while a meter runs after the tone stopped, and is suspended 4 s after both', async () => {
    const { startTone, startMeter } = await loadPage();
    const stopTone = startTone('ringback');
    const ctx = onlyContext();
    ctx.setState('running');
    const stopMeter = startMeter();
    stopTone();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.suspendCalls).toBe(0);
    stopMeter();
    expect(ctx.sources[0]!.disconnected).toBe(true);
    expect(ctx.analysers[0]!.disconnected).toBe(true);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(ctx.suspendCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ctx.suspendCalls).toBe(1);
  });

  it('counts a meter stopped twice once', async () => {
    const { startTone, startMeter } = await loadPage();
    const stopTone = startTone('ring');
    const ctx = onlyContext();
    ctx.setState('running');
    const stopMeter = startMeter();
    stopMeter();
    stopMeter();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.suspendCalls).toBe(0);
    stopTone();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(ctx.suspendCalls).toBe(1);
  });
});
