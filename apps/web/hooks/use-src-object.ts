import { useEffect, useRef, useState } from 'react';
import type { MediaStreamLike } from '@duplex/client';

/**
 * Puts `stream` into a <video> or <audio> element (`srcObject` has no attribute, so React
 * cannot set it) and starts playback. Changing `reloadKey` assigns the stream again, which
 * reloads the element: Chromium does not always start rendering a video track added to a
 * stream that is already playing (camera turned on mid-call). Pass {@link videoTracksKey}:
 * a reload costs the first frames, so it should follow the tracks, not every unmute. (A track
 * added to the stream is seen at the next render: for video added mid-call, when it unmutes.)
 *
 * Returns the element's ref, whether the browser refused to play it (autoplay policy: sound
 * without a user gesture), and a `retry` to call from a click.
 */
export function useSrcObject<T extends HTMLMediaElement>(
  stream: MediaStreamLike | null,
  reloadKey?: unknown,
) {
  const ref = useRef<T>(null);
  const [blocked, setBlocked] = useState(false);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    // The client's structural stream type is the browser's MediaStream at run time.
    element.srcObject = stream as unknown as MediaStream | null;
    if (!stream) return;
    let active = true;
    element.play().then(
      () => active && setBlocked(false),
      (error: unknown) => {
        // AbortError: a newer srcObject replaced this one before it started; not a refusal.
        if (active && (error as { name?: string }).name === 'NotAllowedError') setBlocked(true);
      },
    );
    return () => {
      active = false;
    };
  }, [stream, reloadKey]);

  const retry = () => {
    const element = ref.current;
    if (!element) return;
    element.play().then(
      () => setBlocked(false),
      () => setBlocked(true),
    );
  };

  return { ref, blocked, retry };
}

/** Identifies the video tracks of `stream`: changes when one is added or removed. */
export function videoTracksKey(stream: MediaStreamLike | null): string {
  return (stream?.getVideoTracks() ?? []).map((track) => track.id).join(' ');
}
