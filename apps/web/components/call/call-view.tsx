'use client';

import { useEffect, useState } from 'react';
import type { CallPhase } from '@duplex/client';
import { useCallActions, type CurrentCall, type PendingCall } from '@/hooks/use-call';
import { useRingtone } from '@/hooks/use-ringtone';
import { useSrcObject, videoTracksKey } from '@/hooks/use-src-object';
import { describeCallFailure, describeCallState, formatDuration, initialOf } from '@/lib/call-text';
import { CallQuality } from './call-quality';
import { RemoteMediaState } from './remote-media-state';
import { CameraIcon, CloseIcon, ExpandIcon, HangUpIcon, MicIcon, MinimizeIcon } from './call-icons';
import styles from './call.module.css';

const MEDIA_PHASES: ReadonlySet<CallPhase> = new Set(['connecting', 'connected', 'reconnecting']);

/**
 * The call on screen: the peer's video (or initial) large, your camera small and mirrored, the
 * state in words, the duration, the quality, and the controls. Also shown while a call is being
 * placed (`pending`: camera opening, invite on its way) and, for a few seconds, after it ended.
 */
export function CallView({
  call,
  pending,
}: {
  call: CurrentCall | null;
  pending: PendingCall | null;
}) {
  // A call being placed takes over from one that ended a moment ago.
  if (pending && (!call || call.snapshot.phase === 'ended'))
    return <PendingCallView pending={pending} />;
  if (!call) return null;
  // Keyed by call: the local "closed" flag and media elements start afresh for each call.
  return <ActiveCallView key={call.session.callId} call={call} />;
}

function PendingCallView({ pending }: { pending: PendingCall }) {
  const { cancelPending } = useCallActions();
  const name = pending.peer.name;
  return (
    <section
      className={styles.view}
      data-testid="call-view"
      data-phase="idle"
      data-remote-video="false"
      aria-label={`Call with ${name}`}
    >
      <div className={styles.stage}>
        <div className={styles.placeholder}>
          <span className={styles.bigAvatar} aria-hidden="true">
            {initialOf(name)}
          </span>
          <span className={styles.placeholderName}>{name}</span>
          <span className={styles.placeholderNote}>
            Waiting for your {pending.video ? 'camera and microphone' : 'microphone'}…
          </span>
        </div>
        <header className={styles.topBar}>
          <div className={styles.heading}>
            <p className={styles.state} data-testid="call-state" data-phase="idle" role="status">
              Calling {name}…
            </p>
            <p className={styles.meta}>
              {pending.video ? 'Video call' : 'Audio call'} · #{pending.room}
            </p>
          </div>
        </header>
      </div>
      <div className={styles.controls}>
        <button
          type="button"
          className={`${styles.control} ${styles.hangUp}`}
          data-testid="call-hangup"
          onClick={cancelPending}
        >
          <HangUpIcon />
          <span>Cancel</span>
        </button>
      </div>
    </section>
  );
}

function ActiveCallView({ call }: { call: CurrentCall }) {
  const { session, snapshot } = call;
  const { reportProblem } = useCallActions();
  const [closed, setClosed] = useState(false);
  const [cameraBusy, setCameraBusy] = useState(false);
  // Folded down to a bar (state, duration, controls) so the page underneath stays usable.
  const [minimized, setMinimized] = useState(false);
  const { phase, peer, room, muted, video, remoteVideo, remoteMedia, stats, startedAt } = snapshot;
  const ended = phase === 'ended';
  const live = !ended;
  // Once either side had its camera on, this is a video call: a camera off is worth saying.
  const [hadVideo, setHadVideo] = useState(false);
  if (!hadVideo && (video || remoteVideo || remoteMedia?.video === true)) setHadVideo(true);

  // Attached (hidden) as soon as the stream is there, so the first frame shows without delay.
  const remoteVideoEl = useSrcObject<HTMLVideoElement>(
    snapshot.remoteStream,
    videoTracksKey(snapshot.remoteStream),
  );
  const remoteAudioEl = useSrcObject<HTMLAudioElement>(snapshot.remoteStream);
  const localVideoEl = useSrcObject<HTMLVideoElement>(
    snapshot.localStream,
    videoTracksKey(snapshot.localStream),
  );
  // The caller hears the other side ring.
  useRingtone(phase === 'ringing-out' ? 'ringback' : null);

  if (closed) return null;

  const toggleCamera = async () => {
    setCameraBusy(true);
    try {
      await session.setVideo(!video);
    } catch (error) {
      reportProblem(describeCallFailure(error, peer.name, true));
    } finally {
      setCameraBusy(false);
    }
  };

  const cameraLabel = video ? 'Turn camera off' : 'Turn camera on';
  // The peer says its camera is off (`call.media`): its initial at once, not a frozen frame.
  const remoteCameraOff = hadVideo && remoteMedia?.video === false;
  // After the end the tracks are stopped: a black frame would say nothing.
  const showRemoteVideo = remoteVideo && !ended && !remoteCameraOff;
  // Without word from the peer: a video track that is there but sends nothing is a camera off.
  const remoteHasVideoTrack = (snapshot.remoteStream?.getVideoTracks().length ?? 0) > 0;
  const placeholderNote =
    (phase === 'connected' || phase === 'reconnecting') && remoteMedia === null
      ? remoteHasVideoTrack
        ? 'Camera off'
        : 'No video'
      : '';

  return (
    <section
      className={styles.view}
      data-testid="call-view"
      data-phase={phase}
      data-remote-video={showRemoteVideo ? 'true' : 'false'}
      data-minimized={minimized ? 'true' : undefined}
      aria-label={`Call with ${peer.name}`}
    >
      <div className={styles.stage}>
        <video
          ref={remoteVideoEl.ref}
          className={styles.remoteVideo}
          data-testid="remote-video"
          autoPlay
          playsInline
          // Sound comes from the <audio> below, which plays in audio-only calls too.
          muted
          hidden={!showRemoteVideo}
        />
        <audio ref={remoteAudioEl.ref} data-testid="remote-audio" autoPlay />
        {!showRemoteVideo ? (
          <div className={styles.placeholder}>
            <span
              className={styles.bigAvatar}
              data-ringing={phase === 'ringing-out' ? 'true' : undefined}
              aria-hidden="true"
            >
              {initialOf(peer.name)}
            </span>
            <span className={styles.placeholderName}>{peer.name}</span>
            <span className={styles.placeholderNote}>{placeholderNote}</span>
          </div>
        ) : null}

        <header className={styles.topBar}>
          <div className={styles.heading}>
            <p
              className={styles.state}
              data-testid="call-state"
              data-phase={phase}
              data-end-reason={snapshot.endReason ?? undefined}
              role="status"
            >
              {MEDIA_PHASES.has(phase) ? (
                <span className={styles.stateDot} aria-hidden="true" />
              ) : null}
              <span className={styles.stateText}>{describeCallState(snapshot)}</span>
            </p>
            <p className={styles.meta}>
              {startedAt !== null ? (
                <>
                  <CallDuration startedAt={startedAt} running={live} />
                  <span aria-hidden="true"> · </span>
                </>
              ) : null}
              {video || remoteVideo ? 'Video call' : 'Audio call'} with {peer.name} · #{room}
            </p>
          </div>
          {MEDIA_PHASES.has(phase) ? <CallQuality stats={stats} /> : null}
          {ended ? (
            <button
              type="button"
              className={styles.iconButton}
              data-testid="call-close"
              aria-label="Close"
              title="Close"
              onClick={() => setClosed(true)}
            >
              <CloseIcon />
            </button>
          ) : (
            <button
              type="button"
              className={styles.iconButton}
              data-testid="call-minimize"
              aria-pressed={minimized}
              aria-label={minimized ? 'Expand the call' : 'Minimize the call'}
              title={minimized ? 'Expand' : 'Minimize'}
              onClick={() => setMinimized(!minimized)}
            >
              {minimized ? <ExpandIcon /> : <MinimizeIcon />}
            </button>
          )}
        </header>

        {live ? (
          <RemoteMediaState
            name={peer.name}
            audio={remoteMedia?.audio ?? null}
            video={remoteCameraOff ? false : null}
          />
        ) : null}

        {snapshot.error && ended ? (
          <p className={styles.stageNote} role="note">
            {snapshot.error.name}: {snapshot.error.message}
          </p>
        ) : null}
        {remoteAudioEl.blocked && live ? (
          <button type="button" className={styles.unblock} onClick={remoteAudioEl.retry}>
            The browser blocked the sound. Click to hear {peer.name}.
          </button>
        ) : null}

        <video
          ref={localVideoEl.ref}
          className={styles.localVideo}
          data-testid="local-video"
          autoPlay
          playsInline
          muted
          hidden={!video || !snapshot.localStream || ended}
          aria-label="Your camera"
        />
      </div>

      <div className={styles.controls}>
        <button
          type="button"
          className={styles.control}
          data-testid="call-mute"
          aria-pressed={muted}
          disabled={!live}
          title={muted ? 'Unmute your microphone' : 'Mute your microphone'}
          onClick={() => session.setMuted(!muted)}
        >
          <MicIcon off={muted} />
          <span>{muted ? 'Muted' : 'Mute'}</span>
        </button>
        <button
          type="button"
          className={styles.control}
          data-testid="call-camera"
          aria-pressed={video}
          disabled={!live || cameraBusy}
          title={cameraLabel}
          aria-label={cameraLabel}
          onClick={() => void toggleCamera()}
        >
          <CameraIcon off={!video} />
          <span>{cameraBusy ? 'Camera…' : video ? 'Camera' : 'Camera off'}</span>
        </button>
        <button
          type="button"
          className={`${styles.control} ${styles.hangUp}`}
          data-testid="call-hangup"
          disabled={!live}
          title={phase === 'ringing-out' ? 'Cancel the call' : 'Hang up'}
          onClick={() => void session.hangUp()}
        >
          <HangUpIcon />
          <span>{phase === 'ringing-out' ? 'Cancel' : 'Hang up'}</span>
        </button>
      </div>
    </section>
  );
}

/** mm:ss since the call connected; stops counting when the call ends. */
function CallDuration({ startedAt, running }: { startedAt: number; running: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const tick = () => setNow(Date.now());
    const timer = window.setInterval(tick, 500);
    return () => window.clearInterval(timer);
  }, [running]);
  return (
    <span className={styles.duration} data-testid="call-duration" aria-label="Call duration">
      {formatDuration(now - startedAt)}
    </span>
  );
}
