/**
 * Whether someone is speaking, from a stream of audio levels (RMS, 0..1), with hysteresis: a
 * level above `startAbove` lights the indicator at once; it goes out only once the level stayed
 * below `stopBelow` for `holdMs`, so the pauses between words (and between the beats of a tone)
 * do not make it flicker.
 */

export interface SpeakingOptions {
  /** Level at or above which speech starts. */
  startAbove: number;
  /** Level below which speech may stop (lower than `startAbove`). */
  stopBelow: number;
  /** How long the level must stay below `stopBelow` before speech stops, in ms. */
  holdMs: number;
}

export const SPEAKING: SpeakingOptions = { startAbove: 0.02, stopBelow: 0.008, holdMs: 900 };

export type SpeakingState =
  { readonly kind: 'silent' } | { readonly kind: 'speaking'; readonly lastLoudAt: number };

export const SILENT: SpeakingState = { kind: 'silent' };

/** The state after a level read at `now` (ms). Returns `state` itself when nothing changed. */
export function nextSpeakingState(
  state: SpeakingState,
  level: number,
  now: number,
  options: SpeakingOptions = SPEAKING,
): SpeakingState {
  switch (state.kind) {
    case 'silent':
      return level >= options.startAbove ? { kind: 'speaking', lastLoudAt: now } : state;
    case 'speaking':
      if (level >= options.stopBelow) return { kind: 'speaking', lastLoudAt: now };
      return now - state.lastLoudAt >= options.holdMs ? SILENT : state;
  }
}

/** Root mean square of samples in -1..1: the loudness of one analyser frame. */
export function rootMeanSquare(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}
