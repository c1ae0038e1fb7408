import type { MediaConstraintsLike } from '../../src/call/rtc-types.js';

let nextId = 0;

/** A MediaStreamTrack: `stop()` ends it silently (as in browsers); `end()` and `setMuted()` fire events. */
export class FakeTrack extends EventTarget {
  readonly id = `track-${++nextId}`;
  enabled = true;
  muted = false;
  readyState: 'live' | 'ended' = 'live';

  constructor(readonly kind: 'audio' | 'video') {
    super();
  }

  stop(): void {
    this.readyState = 'ended';
  }

  setMuted(muted: boolean): void {
    if (this.muted === muted) return;
    this.muted = muted;
    this.dispatchEvent(new Event(muted ? 'mute' : 'unmute'));
  }

  end(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

export class FakeStream extends EventTarget {
  readonly id = `stream-${++nextId}`;
  private readonly tracks: FakeTrack[];

  constructor(tracks: FakeTrack[] = []) {
    super();
    this.tracks = [...tracks];
  }

  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }

  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((track) => track.kind === 'audio');
  }

  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((track) => track.kind === 'video');
  }

  addTrack(track: FakeTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }

  removeTrack(track: FakeTrack): void {
    const index = this.tracks.indexOf(track);
    if (index >= 0) this.tracks.splice(index, 1);
  }
}

export interface FakeGetUserMedia {
  (constraints: MediaConstraintsLike): Promise<FakeStream>;
  readonly calls: MediaConstraintsLike[];
  readonly streams: FakeStream[];
  /** The next call rejects with an error of this name (a DOMException in browsers). */
  failNext(name: string, message?: string): void;
  /** The next call waits until the returned function is called (a camera slow to open). */
  holdNext(): () => void;
  /** Calls waiting to resolve or reject. */
  readonly opening: number;
}

export function createFakeGetUserMedia(): FakeGetUserMedia {
  const calls: MediaConstraintsLike[] = [];
  const streams: FakeStream[] = [];
  let failure: Error | null = null;
  let hold: Promise<void> | null = null;
  let opening = 0;
  const getUserMedia = async (constraints: MediaConstraintsLike): Promise<FakeStream> => {
    calls.push(constraints);
    const held = hold;
    hold = null;
    opening++;
    try {
      await (held ?? new Promise((resolve) => setTimeout(resolve, 0)));
    } finally {
      opening--;
    }
    if (failure) {
      const error = failure;
      failure = null;
      throw error;
    }
    const tracks: FakeTrack[] = [];
    if (constraints.audio) tracks.push(new FakeTrack('audio'));
    if (constraints.video) tracks.push(new FakeTrack('video'));
    const stream = new FakeStream(tracks);
    streams.push(stream);
    return stream;
  };
  return Object.defineProperties(
    Object.assign(getUserMedia, {
      calls,
      streams,
      failNext(name: string, message = `${name} (fake)`) {
        failure = Object.assign(new Error(message), { name });
      },
      holdNext() {
        let release = (): void => {};
        hold = new Promise<void>((resolve) => (release = resolve));
        return release;
      },
    }),
    { opening: { get: () => opening } },
  ) as FakeGetUserMedia;
}
