'use client';

import { useEffect, useRef, useState } from 'react';
import { usePathname } from 'next/navigation';
import type { CallPhase } from '@duplex/client';
import { useCallActions, type CurrentCall, type PendingCall } from '@/hooks/use-call';
import { useFullscreen } from '@/hooks/use-fullscreen';
import { useHeldFor } from '@/hooks/use-held-for';
import { useRingtone } from '@/hooks/use-ringtone';
import type { SideColumn } from '@/hooks/use-side-column';
import { useSpeaking } from '@/hooks/use-audio-level';
import { useSrcObject, videoTracksKey } from '@/hooks/use-src-object';
import { useViewportClass } from '@/hooks/use-viewport-class';
import { callLayout, sideContentName } from '@/lib/call-layout';
import { focusIsLost } from '@/lib/call-focus';
import { describeCallFailure, describeCallState, formatDuration, initialOf } from '@/lib/call-text';
import { CallFrame } from './call-frame';
import { CallQuality } from './call-quality';
import { LocalTile } from './local-tile';
import { RemoteMediaState } from './remote-media-state';
import {
  CameraIcon,
  ChatIcon,
  CloseIcon,
  ExpandIcon,
  FullscreenIcon,
  HangUpIcon,
  MicIcon,
  MinimizeIcon,
  SideColumnIcon,
} from './call-icons';
import styles from './call.module.css';

const MEDIA_PHASES: ReadonlySet<CallPhase> = new Set(['connecting', 'connected', 'reconnecting']);
/** How long the media must have been connected before the speaking meters start. */
const SPEAKING_METER_DELAY_MS = 1000;

/**
 * The call on screen: the peer's video (or initial) large, your own tile small in a corner, the
 * state in words, the duration, the quality, and the controls. On a wide window it takes the
 * stage with the page in a column beside it; on a phone it fills the screen; minimised it is a
 * bar at the top. Also shown while a call is being placed (`pending`: camera opening, invite on
 * its way) and after it ended, until closed or cleared.
 */
export function CallView({
  call,
  pending,
  side,
  onClose,
}: {
  call: CurrentCall | null;
  pending: PendingCall | null;
  side: SideColumn;
  onClose: (callId: string) => void;
}) {
  // A call being placed takes over from one that ended a moment ago.
  if (pending && (!call || call.snapshot.phase === 'ended'))
    return <PendingCallView pending={pending} side={side} />;
  if (!call) return null;
  // Keyed by call: the layout and media elements start afresh for each call.
  return (
    <ActiveCallView
      key={call.session.callId}
      call={call}
      side={side}
      onClose={() => onClose(call.session.callId)}
    />
  );
}

function PendingCallView({ pending, side }: { pending: PendingCall; side: SideColumn }) {
  const { cancelPending } = useCallActions();
  const viewRef = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const layout = callLayout(useViewportClass(), false);
  const sideName = sideContentName(usePathname());
  const name = pending.peer.name;
  return (
    <CallFrame
      layout={layout}
      side={side}
      sideName={sideName}
      label={`Call with ${name}`}
      headingRef={headingRef}
      viewRef={viewRef}
      attributes={{ 'data-phase': 'idle', 'data-remote-video': 'false' }}
    >
      <div className={styles.stage}>
        <header className={styles.topBar}>
          <div className={styles.heading}>
            <h2 ref={headingRef} className={styles.peerName} tabIndex={-1}>
              {name}
            </h2>
            <p className={styles.state} data-testid="call-state" data-phase="idle" role="status">
              Calling {name}…
            </p>
            <p className={styles.meta}>
              {pending.video ? 'Video call' : 'Audio call'} · #{pending.room}
            </p>
          </div>
        </header>
        <div className={styles.tiles}>
          <div className={styles.remoteTile} data-testid="remote-tile" data-speaking="false">
            <div className={styles.placeholder}>
              <span className={styles.bigAvatar} aria-hidden="true">
                {initialOf(name)}
              </span>
              <span className={styles.placeholderNote}>
                Waiting for your {pending.video ? 'camera and microphone' : 'microphone'}…
              </span>
            </div>
          </div>
        </div>
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
    </CallFrame>
  );
}

function ActiveCallView({
  call,
  side,
  onClose,
}: {
  call: CurrentCall;
  side: SideColumn;
  onClose: () => void;
}) {
  const { session, snapshot } = call;
  const { reportProblem } = useCallActions();
  const [cameraBusy, setCameraBusy] = useState(false);
  // Folded down to a bar at the top so the page has the window; on a phone, "Chat" does this.
  const [minimized, setMinimized] = useState(false);
  const viewRef = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const layout = callLayout(useViewportClass(), minimized);
  const sideName = sideContentName(usePathname());
  const fullscreen = useFullscreen(viewRef);
  const { phase, peer, room, muted, video, remoteVideo, remoteMedia, stats, startedAt } = snapshot;
  const ended = phase === 'ended';
  const live = !ended;
  const media = MEDIA_PHASES.has(phase);
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
  // The speaking meters start a second after the media connected. Started with the call, they
  // added audio processing of both tracks while both sides open cameras and encoders, and the
  // first picture came tens of milliseconds later (docs/benchmarks.md, call set-up); a second
  // after the connection nobody misses them.
  const metered = useHeldFor(
    phase === 'connected' || phase === 'reconnecting',
    SPEAKING_METER_DELAY_MS,
  );
  // A peer who says it is muted is not speaking, whatever reaches us.
  const remoteSpeaking = useSpeaking(
    snapshot.remoteStream,
    metered && remoteMedia?.audio !== false,
  );
  const localSpeaking = useSpeaking(snapshot.localStream, metered && !muted);

  // Hang-up disables the controls: focus goes to Close rather than being dropped.
  useEffect(() => {
    if (!ended) return;
    const active = document.activeElement;
    const disabledInView =
      active instanceof HTMLButtonElement && active.disabled && viewRef.current?.contains(active);
    if (focusIsLost() || disabledInView) closeRef.current?.focus();
  }, [ended]);

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
  const showLocalVideo = video && snapshot.localStream !== null && !ended;
  // Without word from the peer: a video track that is there but sends nothing is a camera off.
  const remoteHasVideoTrack = (snapshot.remoteStream?.getVideoTracks().length ?? 0) > 0;
  const placeholderNote =
    (phase === 'connected' || phase === 'reconnecting') && remoteMedia === null
      ? remoteHasVideoTrack
        ? 'Camera off'
        : 'No video'
      : '';

  return (
    <CallFrame
      layout={layout}
      side={side}
      sideName={sideName}
      label={`Call with ${peer.name}`}
      headingRef={headingRef}
      viewRef={viewRef}
      attributes={{
        'data-phase': phase,
        'data-remote-video': showRemoteVideo ? 'true' : 'false',
        'data-minimized': minimized ? 'true' : undefined,
        'data-remote-speaking': remoteSpeaking ? 'true' : 'false',
        'data-fullscreen': fullscreen.active ? 'true' : undefined,
      }}
    >
      {layout === 'bar' ? (
        // A tap anywhere on the bar's words brings the call back; keyboard users have Expand.
        <button
          type="button"
          className={styles.barReturn}
          data-testid="call-bar-return"
          tabIndex={-1}
          aria-hidden="true"
          onClick={() => setMinimized(false)}
        />
      ) : null}
      <div className={styles.stage}>
        <header className={styles.topBar}>
          <span className={styles.barAvatar} aria-hidden="true">
            {initialOf(peer.name)}
          </span>
          <div className={styles.heading}>
            <h2 ref={headingRef} className={styles.peerName} tabIndex={-1}>
              {peer.name}
            </h2>
            <p
              className={styles.state}
              data-testid="call-state"
              data-phase={phase}
              data-end-reason={snapshot.endReason ?? undefined}
              role="status"
            >
              {media ? <span className={styles.stateDot} aria-hidden="true" /> : null}
              <span className={styles.stateText}>{describeCallState(snapshot)}</span>
            </p>
            <p className={styles.meta}>
              {startedAt !== null ? (
                <>
                  <CallDuration startedAt={startedAt} running={live} />
                  <span className={styles.metaKind} aria-hidden="true">
                    {' '}
                    ·{' '}
                  </span>
                </>
              ) : null}
              <span className={styles.metaKind}>
                {video || remoteVideo ? 'Video call' : 'Audio call'} with {peer.name} · #{room}
              </span>
            </p>
          </div>
          {media ? <CallQuality stats={stats} /> : null}
          {layout === 'stage' && fullscreen.supported ? (
            <button
              type="button"
              className={styles.iconButton}
              data-testid="call-fullscreen"
              aria-pressed={fullscreen.active}
              aria-label={fullscreen.active ? 'Leave full screen' : 'Full screen'}
              title={fullscreen.active ? 'Leave full screen (Esc)' : 'Full screen'}
              onClick={fullscreen.toggle}
            >
              <FullscreenIcon exit={fullscreen.active} />
            </button>
          ) : null}
          {ended ? (
            <button
              ref={closeRef}
              type="button"
              className={styles.iconButton}
              data-testid="call-close"
              aria-label="Close"
              title="Close"
              onClick={onClose}
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
        <div className={styles.tiles}>
          <div
            className={styles.remoteTile}
            data-testid="remote-tile"
            data-speaking={remoteSpeaking ? 'true' : 'false'}
          >
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
            {!showRemoteVideo ? (
              <div className={styles.placeholder}>
                <span
                  className={styles.bigAvatar}
                  data-ringing={phase === 'ringing-out' ? 'true' : undefined}
                  aria-hidden="true"
                >
                  {initialOf(peer.name)}
                </span>
                <span className={styles.placeholderNote}>{placeholderNote}</span>
              </div>
            ) : null}
          </div>
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
          <LocalTile
            videoRef={localVideoEl.ref}
            showVideo={showLocalVideo}
            speaking={localSpeaking}
            hidden={ended}
          />
        </div>
        <audio ref={remoteAudioEl.ref} data-testid="remote-audio" autoPlay />
      </div>

      <div className={styles.controls}>
        <button
          type="button"
          className={styles.control}
          data-testid="call-mute"
          data-speaking={localSpeaking ? 'true' : 'false'}
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
          className={`${styles.control} ${styles.cameraControl}`}
          data-testid="call-camera"
          aria-pressed={video}
          disabled={!live || cameraBusy}
          title={cameraLabel}
          onClick={() => void toggleCamera()}
        >
          <CameraIcon off={!video} />
          {/* One name, on or off: the pressed state and the icon say which. */}
          <span>{cameraBusy ? 'Camera…' : 'Camera'}</span>
        </button>
        {layout === 'stage' ? (
          <button
            type="button"
            className={styles.control}
            data-testid="call-side-toggle"
            data-side={side.collapsed ? 'collapsed' : 'shown'}
            title={side.collapsed ? `Show the ${sideName} beside the call` : `Hide the ${sideName}`}
            onClick={() => side.setCollapsed(!side.collapsed)}
          >
            <SideColumnIcon shown={!side.collapsed} />
            <span>{side.collapsed ? `Show ${sideName}` : `Hide ${sideName}`}</span>
          </button>
        ) : null}
        {layout === 'full' && live ? (
          <button
            type="button"
            className={styles.control}
            data-testid="call-show-page"
            title={`Go to the ${sideName}; the call stays in a bar at the top`}
            onClick={() => setMinimized(true)}
          >
            <ChatIcon />
            <span>{sideName === 'chat' ? 'Chat' : 'Page'}</span>
          </button>
        ) : null}
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
    </CallFrame>
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
