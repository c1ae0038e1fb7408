import { describe, expect, it, vi } from 'vitest';
import { FakeAudioContext, fakeWindow, onlyContext, useFakeAudioPage } from './support/fake-audio';

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

useFakeAudioPage();

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

describe('the page’s one AudioContext, held by ring tones', () => {
  it('is made once for every tone of the page', async () => {
    const { startTone } = await loadPage();
    const stopRing = startTone('ring');
    stopRing();
    startTone('ringback');
    onlyContext();
  });

  it('is suspended 4 seconds after the last tone stopped', async () => {
    const { startTone } = await loadPage();
    const stop = startTone('ring');
    const ctx = onlyContext();
    ctx.setState('running');
    stop();
    vi.advanceTimersByTime(3_999);
    expect(ctx.suspendCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ctx.suspendCalls).toBe(1);
    expect(ctx.state).toBe('suspended');
  });

  it('keeps running while another tone plays, however often a stop is called', async () => {
    const { startTone } = await loadPage();
    const stopRing = startTone('ring');
    startTone('ringback');
    const ctx = onlyContext();
    ctx.setState('running');
    stopRing();
    stopRing();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.suspendCalls).toBe(0);
  });

  it('is not suspended when a tone starts again within the 4 seconds', async () => {
    const { startTone } = await loadPage();
    const stop = startTone('ring');
    const ctx = onlyContext();
    ctx.setState('running');
    stop();
    vi.advanceTimersByTime(2_000);
    startTone('ringback');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctx.suspendCalls).toBe(0);
  });

  it('is resumed when a tone starts while it is being suspended', async () => {
    const { startTone } = await loadPage();
    const stop = startTone('ring');
    const ctx = onlyContext();
    ctx.setState('running');
    stop();
    vi.advanceTimersByTime(4_000);
    // The suspend is under way, the state still reads `running`, when the next call rings.
    expect(ctx.suspendCalls).toBe(1);
    expect(ctx.state).toBe('running');
    const resumesBefore = ctx.resumeCalls;
    startTone('ringback');
    expect(ctx.resumeCalls).toBe(resumesBefore);
    await vi.advanceTimersByTimeAsync(0);
    expect(ctx.state).toBe('suspended');
    expect(ctx.resumeCalls).toBe(resumesBefore + 1);
  });

  it('is made anew once closed', async () => {
    const { startTone } = await loadPage();
    startTone('ring')();
    FakeAudioContext.made[0]!.state = 'closed';
    startTone('ring');
    expect(FakeAudioContext.made).toHaveLength(2);
  });
});
