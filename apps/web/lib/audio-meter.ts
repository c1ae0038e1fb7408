/**
 * Loudness of a live audio track, read with a WebAudio AnalyserNode a few times a second, on the
 * page's shared AudioContext. A meter renders nothing to the speakers.
 */
import { holdAudioContext } from './audio-context';
import { rootMeanSquare } from './speaking';

/** 4096 samples (85 ms at 48 kHz) read every 60 ms: consecutive frames overlap, so even a short sound is seen. */
const FRAME_SIZE = 4096;
const READ_EVERY_MS = 60;

/**
 * Calls `onLevel(rms, now)` with the track's level (RMS, 0..1) every {@link READ_EVERY_MS} until
 * the returned stop is called. Does nothing where WebAudio is missing.
 */
export function startAudioMeter(
  track: MediaStreamTrack,
  onLevel: (level: number, now: number) => void,
): () => void {
  const hold = holdAudioContext();
  if (!hold) return () => {};
  const { context } = hold;
  // Started from a call the user placed or accepted: a click let the context run.
  if (context.state === 'suspended') void context.resume().catch(() => {});
  let source: MediaStreamAudioSourceNode;
  try {
    source = context.createMediaStreamSource(new MediaStream([track]));
  } catch {
    hold.release();
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
    hold.release();
  };
}
