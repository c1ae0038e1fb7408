import type {
  MediaStreamConstructor,
  MediaStreamLike,
  MediaStreamTrackLike,
  TrackEventLike,
} from './rtc-types.js';

const TRACK_EVENTS = ['mute', 'unmute', 'ended'] as const;
const STREAM_EVENTS = ['addtrack', 'removetrack'] as const;

/**
 * The remote side's media, from the peer connection's `track` events: one stream for the UI,
 * and whether a live, unmuted video track is in it (a peer that turns its camera off leaves a
 * muted or ended track).
 */
export class RemoteMedia {
  private current: MediaStreamLike | null = null;
  private videoFlag = false;
  private videoFlowing = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly MediaStream: MediaStreamConstructor | undefined,
    private readonly onChange: () => void,
  ) {}

  get stream(): MediaStreamLike | null {
    return this.current;
  }

  get hasVideo(): boolean {
    return this.videoFlag;
  }

  handleTrack(event: TrackEventLike): void {
    const { track } = event;
    if (!this.current) {
      const stream = event.streams[0] ?? this.build();
      if (!stream) return;
      this.current = stream;
      this.listen(stream, STREAM_EVENTS);
    }
    if (!this.current.getTracks().includes(track)) this.current.addTrack(track);
    this.listen(track, TRACK_EVENTS);
    this.refresh(true);
  }

  /**
   * Whether the stats show remote video frames being decoded. Chromium may leave a receiver's
   * track `muted` without an `unmute` after a rolled-back offer (glare) although frames flow,
   * so decoded frames count as video too.
   */
  setVideoFlowing(flowing: boolean): void {
    if (flowing === this.videoFlowing) return;
    this.videoFlowing = flowing;
    this.refresh(false);
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private build(): MediaStreamLike | null {
    return this.MediaStream ? new this.MediaStream() : null;
  }

  private listen(target: MediaStreamLike | MediaStreamTrackLike, types: readonly string[]): void {
    const listener = (): void => this.refresh(false);
    for (const type of types) target.addEventListener(type, listener);
    this.cleanups.push(() => {
      for (const type of types) target.removeEventListener(type, listener);
    });
  }

  private refresh(streamChanged: boolean): void {
    const hasVideo = (this.current?.getVideoTracks() ?? []).some(
      (track) => track.readyState === 'live' && (!track.muted || this.videoFlowing),
    );
    if (hasVideo === this.videoFlag && !streamChanged) return;
    this.videoFlag = hasVideo;
    this.onChange();
  }
}
