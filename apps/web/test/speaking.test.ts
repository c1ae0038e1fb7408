import { describe, expect, it } from 'vitest';
import {
  nextSpeakingState,
  rootMeanSquare,
  SILENT,
  type SpeakingOptions,
  type SpeakingState,
} from '@/lib/speaking';

const options: SpeakingOptions = { startAbove: 0.02, stopBelow: 0.008, holdMs: 500 };

/** Feeds `levels` 60 ms apart from t=0; returns whether it was speaking after each. */
function run(levels: number[], start: SpeakingState = SILENT): boolean[] {
  let state = start;
  return levels.map((level, i) => {
    state = nextSpeakingState(state, level, i * 60, options);
    return state.kind === 'speaking';
  });
}

describe('nextSpeakingState', () => {
  it('stays silent below the start threshold', () => {
    expect(run([0, 0.01, 0.019, 0.015])).toEqual([false, false, false, false]);
  });

  it('starts at once on a level at or above the start threshold', () => {
    expect(run([0, 0.02])).toEqual([false, true]);
  });

  it('keeps speaking through levels between the two thresholds (hysteresis)', () => {
    expect(run([0.05, 0.01, 0.009, 0.012, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01])).toEqual(
      Array(11).fill(true),
    );
  });

  it('stops only after the level stayed below the stop threshold for the hold time', () => {
    // Loud at 0 ms, quiet from 60 ms: still speaking until 500 ms have passed since 0.
    const spoken = run([0.05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(spoken.slice(0, 9)).toEqual(Array(9).fill(true)); // t = 0..480 ms
    expect(spoken[9]).toBe(false); // t = 540 ms
  });

  it('does not flicker with a beep shorter than the hold, repeated', () => {
    // A 60 ms beep every 420 ms: the indicator stays lit from the first beep on.
    const levels = Array.from({ length: 30 }, (_, i) => (i % 7 === 0 ? 0.3 : 0));
    expect(run(levels).every(Boolean)).toBe(true);
  });

  it('returns the same state object when nothing changed', () => {
    expect(nextSpeakingState(SILENT, 0, 100, options)).toBe(SILENT);
    const speaking: SpeakingState = { kind: 'speaking', lastLoudAt: 100 };
    expect(nextSpeakingState(speaking, 0, 200, options)).toBe(speaking);
  });
});

describe('rootMeanSquare', () => {
  it('is 0 for silence and for no samples', () => {
    expect(rootMeanSquare(new Float32Array(8))).toBe(0);
    expect(rootMeanSquare([])).toBe(0);
  });

  it('is the amplitude of a square wave and amplitude/√2 of a sine', () => {
    expect(rootMeanSquare([0.5, -0.5, 0.5, -0.5])).toBeCloseTo(0.5);
    const sine = Array.from({ length: 1000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * i) / 100));
    expect(rootMeanSquare(sine)).toBeCloseTo(0.4 / Math.SQRT2, 3);
  });
});
