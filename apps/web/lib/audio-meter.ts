/**
 * Loudness of a live audio track, read with a WebAudio AnalyserNode a few times a second. One
 * AudioContext serves every meter of the page; it renders nothing to the speakers.
 */
import { createAudioContext } from './audio-context';
import { rootMeanSquare } from './speaking';

/** 4096 samples (85 ms at 48 kHz) read every 60 ms: consecutive frames overlap, so even a short sound is seen. */
const FRAME_SIZE = 4096;
const READ_EVERY_MS = 60;

let shared: AudioContext | null = null;

function meterContext(): AudioContext | null {
  if (shared && shared.state !== 'closed') return shared;
  shared = createAudioContext();
  return shared;
}

/**
 * Calls `onLevel(rms, now)` with the track's level (RMS, 0..1) every {@link READ_EVERY_MS} until
 * the returned stop is called. Does nothing where WebAudio is missing.
 */
export function startAudioMeter(
  track: MediaStreamTrack,
  onLevel: (level: number, now: number) => void,
): () => void {
  const context = meterContext();
  if (!context) return () => {};
  // Started from a call the user placed or accepted: a click let the context run.
  if (context.state === 'suspended') void context.resume().catch(() => {});
  let source: MediaStreamAudioSourceNode;
  try {
    source = context.createMediaStreamSource(new MediaStream([track]));
  } catch {
    return () => {};
  }
  const analyser = context.createAnalyser();
  analyser.fftSize = FRAME_SIZE;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = window.setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    onLevel(rootMeanSquare(samples), performance.now());
  }, READ_EVERY_MS);
  return () => {
    window.clearInterval(timer);
    source.disconnect();
    analyser.disconnect();
  };
}
