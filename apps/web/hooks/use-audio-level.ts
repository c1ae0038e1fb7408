import { useEffect, useRef, useState } from 'react';
import type { MediaStreamLike } from '@duplex/client';
import { startAudioMeter } from '@/lib/audio-meter';
import { nextSpeakingState, SILENT, type SpeakingState } from '@/lib/speaking';

/**
 * Feeds `onLevel` the level (RMS, 0..1) of `stream`'s first audio track while `enabled`, a
 * few times a second, without re-rendering. Follows the track when it changes.
 */
export function useAudioLevel(
  stream: MediaStreamLike | null,
  enabled: boolean,
  onLevel: (level: number, now: number) => void,
): void {
  const listener = useRef(onLevel);
  useEffect(() => {
    listener.current = onLevel;
  });
  const track = enabled ? (stream?.getAudioTracks()[0] ?? null) : null;
  useEffect(() => {
    if (!track || track.readyState === 'ended') return;
    // The client's structural track type is the browser's MediaStreamTrack at run time.
    return startAudioMeter(track as unknown as MediaStreamTrack, (level, now) =>
      listener.current(level, now),
    );
  }, [track]);
}

/**
 * Whether the audio of `stream` is speech-loud right now (see {@link nextSpeakingState}); false
 * while not `enabled` (a muted microphone, a call without media). Re-renders only on changes.
 */
export function useSpeaking(stream: MediaStreamLike | null, enabled: boolean): boolean {
  const [speaking, setSpeaking] = useState(false);
  const state = useRef<SpeakingState>(SILENT);
  useAudioLevel(stream, enabled, (level, now) => {
    const next = nextSpeakingState(state.current, level, now);
    if (next.kind !== state.current.kind) setSpeaking(next.kind === 'speaking');
    state.current = next;
  });
  // Off, the meter stops; the first reading once on again decides (the hold has long passed).
  return enabled && speaking;
}
