import { describe, expect, it, vi } from 'vitest';
import { FakeAudioContext, fakeWindow, onlyContext, useFakeAudioPage } from './support/fake-audio';

/** The module as a newly loaded page has it: no AudioContext made yet. */
async function loadPage(audio = true) {
  vi.stubGlobal('window', fakeWindow(audio));
  vi.resetModules();
  return import('@/lib/ringtone');
}

/** [frequency, start] of every oscillator the context was asked for. */
function scheduled(ctx: FakeAudioContext): [number, number | null][] {
  return ctx.oscillators.map((oscillator) => [oscillator.frequency.value, oscillator.startAt]);
}

useFakeAudioPage();

describe('startTone', () => {
  it('does nothing where the browser has no WebAudio', async () => {
    const { startTone } = await loadPage(false);
    const onAudible = vi.fn();
    const stop = startTone('ring', onAudible);
    stop();
    expect(onAudible).not.toHaveBeenCalled();
  });

  it('rings twice per cycle on two close frequencies, a little ahead of the clock', async () => {
    const { startTone } = await loadPage();
    startTone('ring');
    const ctx = onlyContext();
    expect(scheduled(ctx)).toEqual([
      [400, 0.05],
      [450, 0.05],
      [400, 0.65],
      [450, 0.65],
    ]);
    expect(ctx.oscillators.every((oscillator) => oscillator.type === 'sine')).toBe(true);
    // The master gain: the master volume at the ring's full level.
    expect(ctx.gains[0]!.gain.value).toBeCloseTo(0.12);
  });

  it('plays the ringback as one long, quieter tone', async () => {
    const { startTone } = await loadPage();
    startTone('ringback');
    const ctx = onlyContext();
    expect(scheduled(ctx)).toEqual([
      [440, 0.05],
      [480, 0.05],
    ]);
    expect(ctx.oscillators[0]!.stopAt).toBeCloseTo(1.56);
    expect(ctx.gains[0]!.gain.value).toBeCloseTo(0.06);
  });

  it('fades each burst in and out', async () => {
    const { startTone } = await loadPage();
    startTone('ringback');
    const envelope = onlyContext().gains[1]!;
    const events = envelope.gain.events.map(([kind, value, at]) => [kind, value, +at.toFixed(3)]);
    expect(events).toEqual([
      ['set', 0, 0.05],
      ['ramp', 1, 0.07],
      ['set', 1, 1.53],
      ['ramp', 0, 1.55],
    ]);
  });

  it('schedules the next cycle as the audio clock comes near it', async () => {
    const { startTone } = await loadPage();
    startTone('ringback');
    const ctx = onlyContext();
    ctx.currentTime = 2;
    vi.advanceTimersByTime(250);
    expect(ctx.oscillators).toHaveLength(2);
    ctx.currentTime = 3.1;
    vi.advanceTimersByTime(250);
    expect(scheduled(ctx).slice(2)).toEqual([
      [440, 4.05],
      [480, 4.05],
    ]);
  });

  it('says whether it can be heard, and asks the browser to resume', async () => {
    const { startTone } = await loadPage();
    const onAudible = vi.fn();
    startTone('ring', onAudible);
    const ctx = onlyContext();
    expect(onAudible.mock.calls).toEqual([[false]]);
    expect(ctx.resumeCalls).toBe(1);
    ctx.setState('running');
    expect(onAudible.mock.calls).toEqual([[false], [true]]);
  });

  it('tries again on the first click or key press', async () => {
    const { startTone } = await loadPage();
    startTone('ring');
    const ctx = onlyContext();
    window.dispatchEvent(new Event('pointerdown'));
    window.dispatchEvent(new Event('keydown'));
    expect(ctx.resumeCalls).toBe(3);
    ctx.setState('running');
    window.dispatchEvent(new Event('pointerdown'));
    expect(ctx.resumeCalls).toBe(3);
  });

  it('stops at once: silent, not audible, no longer listening', async () => {
    const { startTone } = await loadPage();
    const onAudible = vi.fn();
    const stop = startTone('ring', onAudible);
    const ctx = onlyContext();
    ctx.setState('running');
    stop();
    expect(onAudible).toHaveBeenLastCalledWith(false);
    expect(ctx.gains[0]!.disconnected).toBe(true);
    expect(ctx.oscillators.every((oscillator) => oscillator.stopAt === 0)).toBe(true);
    const calls = onAudible.mock.calls.length;
    ctx.setState('suspended');
    ctx.setState('running');
    expect(onAudible).toHaveBeenCalledTimes(calls);
    ctx.state = 'suspended';
    window.dispatchEvent(new Event('pointerdown'));
    expect(ctx.resumeCalls).toBe(1);
    ctx.currentTime = 10;
    vi.advanceTimersByTime(1_000);
    expect(ctx.oscillators).toHaveLength(4);
  });
});
