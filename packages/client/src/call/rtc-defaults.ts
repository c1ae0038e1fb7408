import type {
  GetUserMedia,
  MediaStreamConstructor,
  PeerConnectionConstructor,
} from './rtc-types.js';

/* Resolved when needed, never at module load: the client also runs in Node. */

type WebRtcGlobals = {
  RTCPeerConnection?: PeerConnectionConstructor;
  MediaStream?: MediaStreamConstructor;
  navigator?: { mediaDevices?: { getUserMedia?: GetUserMedia } };
};

const globals = (): WebRtcGlobals => globalThis as WebRtcGlobals;

export function resolvePeerConnection(
  injected: PeerConnectionConstructor | undefined,
): PeerConnectionConstructor {
  const constructor = injected ?? globals().RTCPeerConnection;
  if (typeof constructor !== 'function') {
    throw new TypeError('No RTCPeerConnection: pass the `RTCPeerConnection` option');
  }
  return constructor;
}

/** `navigator.mediaDevices.getUserMedia`, looked up at each call; a `NotSupportedError` when absent. */
export function resolveGetUserMedia(injected: GetUserMedia | undefined): GetUserMedia {
  if (injected) return injected;
  return (constraints) => {
    const mediaDevices = globals().navigator?.mediaDevices;
    if (typeof mediaDevices?.getUserMedia !== 'function') {
      const error = new Error(
        'Camera and microphone are not available here (is the page served over HTTPS?)',
      );
      error.name = 'NotSupportedError';
      return Promise.reject(error);
    }
    return mediaDevices.getUserMedia(constraints);
  };
}

export function resolveMediaStream(
  injected: MediaStreamConstructor | undefined,
): MediaStreamConstructor | undefined {
  return injected ?? globals().MediaStream;
}
