import { describeRemoteCameraOff, describeRemoteMuted } from '@/lib/call-text';
import { CameraIcon, MicIcon } from './call-icons';
import styles from './call.module.css';

/**
 * The other party's microphone and camera as their `call.media` says, over the stage: "Bob is
 * muted", "Bob's camera is off", in words and icons. Always in the page while the call is live,
 * so that a screen reader hears each change (politely) as it happens.
 */
export function RemoteMediaState({
  name,
  audio,
  video,
}: {
  name: string;
  /** False: the peer's microphone is off. Null while unknown. */
  audio: boolean | null;
  /** False: the peer's camera is off. Null while unknown. */
  video: boolean | null;
}) {
  return (
    <div
      className={styles.remoteMedia}
      data-testid="remote-media"
      data-audio={audio === null ? undefined : String(audio)}
      data-video={video === null ? undefined : String(video)}
      aria-live="polite"
    >
      {audio === false ? (
        <span className={styles.remoteMediaBadge} data-testid="remote-muted">
          <MicIcon off />
          {describeRemoteMuted(name)}
        </span>
      ) : null}
      {video === false ? (
        <span className={styles.remoteMediaBadge} data-testid="remote-camera-off">
          <CameraIcon off />
          {describeRemoteCameraOff(name)}
        </span>
      ) : null}
    </div>
  );
}
