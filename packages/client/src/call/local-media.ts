import type { GetUserMedia, MediaStreamLike } from './rtc-types.js';

export interface MediaErrorInfo {
  readonly name: string;
  readonly message: string;
}

/**
 * The camera or microphone could not be opened. `mediaError.name` is the browser's:
 * `NotAllowedError` (permission refused), `NotFoundError` (no device), `NotReadableError`
 * (device busy), `OverconstrainedError`, `NotSupportedError` (no `getUserMedia` here).
 */
export class CallMediaError extends Error {
  override readonly name = 'CallMediaError';
  readonly reason = 'media-error';
  readonly mediaError: MediaErrorInfo;

  constructor(mediaError: MediaErrorInfo, options?: { cause?: unknown }) {
    super(mediaError.message || mediaError.name, options);
    this.mediaError = mediaError;
  }
}

export function describeMediaError(error: unknown): MediaErrorInfo {
  if (error instanceof CallMediaError) return error.mediaError;
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' && name ? name : 'Error',
      message: typeof message === 'string' ? message : String(error),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** `getUserMedia({audio: true, video})`; any failure becomes a {@link CallMediaError}. */
export async function openLocalMedia(
  getUserMedia: GetUserMedia,
  video: boolean,
): Promise<MediaStreamLike> {
  try {
    return await getUserMedia({ audio: true, video });
  } catch (error) {
    throw new CallMediaError(describeMediaError(error), { cause: error });
  }
}

/** Opens the camera alone (turning video on mid-call). */
export async function openCamera(getUserMedia: GetUserMedia): Promise<MediaStreamLike> {
  try {
    return await getUserMedia({ audio: false, video: true });
  } catch (error) {
    throw new CallMediaError(describeMediaError(error), { cause: error });
  }
}

/** Stops the video tracks of `stream` and takes them out of it. */
export function removeVideoTracks(stream: MediaStreamLike | null): void {
  for (const track of stream?.getVideoTracks() ?? []) {
    track.stop();
    stream?.removeTrack(track);
  }
}

export function stopStream(stream: MediaStreamLike | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** Enables or disables every audio track: disabled, the remote side hears silence. */
export function setAudioEnabled(stream: MediaStreamLike | null, enabled: boolean): void {
  for (const track of stream?.getAudioTracks() ?? []) track.enabled = enabled;
}

export function hasLiveVideo(stream: MediaStreamLike | null): boolean {
  return (stream?.getVideoTracks() ?? []).some((track) => track.readyState === 'live');
}
