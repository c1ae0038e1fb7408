/**
 * Ring tones made on the spot with WebAudio: a pair of sine oscillators switched on and off in a
 * repeating pattern. No audio files: nothing to download, nothing to cache.
 */
import { holdAudioContext } from './audio-context';

export type TonePattern = 'ring' | 'ringback';

interface Pattern {
  /** Two close frequencies beat against each other: the classic telephone warble. */
  frequencies: readonly number[];
  /** One cycle, in seconds. */
  period: number;
  /** When each burst starts within the cycle and how long it lasts, in seconds. */
  bursts: readonly { at: number; duration: number }[];
  /** Loudness, 0..1, before the master volume. */
  level: number;
}

const PATTERNS: Record<TonePattern, Pattern> = {
  // Incoming call: a double ring (ring-ring, pause), like a British phone.
  ring: {
    frequencies: [400, 450],
    period: 3,
    bursts: [
      { at: 0, duration: 0.4 },
      { at: 0.6, duration: 0.4 },
    ],
    level: 1,
  },
  // Outgoing call, while the other side rings: a long, quieter tone, then silence.
  ringback: {
    frequencies: [440, 480],
    period: 4,
    bursts: [{ at: 0, duration: 1.5 }],
    level: 0.5,
  },
};

const MASTER_VOLUME = 0.12;
const LOOKAHEAD_S = 1;
const TICK_MS = 250;
const RAMP_S = 0.02;

/**
 * Starts `pattern` and returns its stop. `onAudible` says whether sound can actually come out:
 * a browser may keep the AudioContext suspended until the page had a click or a key press, and
 * the tone then starts with the next one.
 */
export function startTone(
  pattern: TonePattern,
  onAudible: (audible: boolean) => void = () => {},
): () => void {
  const hold = holdAudioContext();
  if (!hold) return () => {};
  const ctx = hold.context;
  const { frequencies, period, bursts, level } = PATTERNS[pattern];

  const master = ctx.createGain();
  master.gain.value = MASTER_VOLUME * level;
  master.connect(ctx.destination);
  const oscillators = new Set<OscillatorNode>();

  let nextCycle = ctx.currentTime + 0.05;
  const scheduleCycle = (start: number) => {
    for (const burst of bursts) {
      const on = start + burst.at;
      const off = on + burst.duration;
      // A short fade in and out: switching a tone on at full level clicks.
      const envelope = ctx.createGain();
      envelope.gain.setValueAtTime(0, on);
      envelope.gain.linearRampToValueAtTime(1, on + RAMP_S);
      envelope.gain.setValueAtTime(1, off - RAMP_S);
      envelope.gain.linearRampToValueAtTime(0, off);
      envelope.connect(master);
      for (const frequency of frequencies) {
        const oscillator = ctx.createOscillator();
        oscillator.type = 'sine';
        oscillator.frequency.value = frequency;
        oscillator.connect(envelope);
        oscillator.start(on);
        oscillator.stop(off + 0.01);
        oscillators.add(oscillator);
        oscillator.onended = () => {
          oscillators.delete(oscillator);
          oscillator.disconnect();
          envelope.disconnect();
        };
      }
    }
  };
  // Bursts are scheduled on the audio clock a little ahead, so timer jitter cannot be heard.
  // While the context is suspended its clock stands still and nothing piles up.
  const tick = () => {
    while (nextCycle < ctx.currentTime + LOOKAHEAD_S) {
      scheduleCycle(nextCycle);
      nextCycle += period;
    }
  };
  tick();
  const timer = window.setInterval(tick, TICK_MS);

  const report = () => onAudible(ctx.state === 'running');
  ctx.addEventListener('statechange', report);
  report();
  const resume = () => {
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
  };
  resume();
  // Without a user gesture yet, the first one unlocks the sound.
  const unlockEvents = ['pointerdown', 'keydown'] as const;
  for (const type of unlockEvents) window.addEventListener(type, resume, { passive: true });

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    window.clearInterval(timer);
    for (const type of unlockEvents) window.removeEventListener(type, resume);
    ctx.removeEventListener('statechange', report);
    onAudible(false);
    // Silence at once; the oscillators scheduled ahead end and disconnect themselves.
    master.disconnect();
    for (const oscillator of oscillators) oscillator.stop();
    hold.release();
  };
}
