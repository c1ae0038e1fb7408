'use client';

import { useEffect, useRef, useState } from 'react';
import { useCallActions, type CurrentCall } from '@/hooks/use-call';
import { useRingtone } from '@/hooks/use-ringtone';
import { describeCallFailure, describeCallState, initialOf } from '@/lib/call-text';
import { isTyping, takeFocus } from '@/lib/call-focus';
import { CameraIcon, HangUpIcon, MicIcon } from './call-icons';
import styles from './call.module.css';

/**
 * The prompt for a ringing incoming call, wherever the user is in the app: a card under the
 * header, a sheet at the bottom on a phone. Rings (WebAudio) until it is answered, declined, or
 * the caller gives up; the tone stops when this unmounts. Focus goes to Accept, except from
 * someone typing (a text field keeps focus: Enter must not answer by accident); they reach the
 * prompt with Tab, and screen readers hear it as an alert either way.
 */
export function IncomingCall({ call }: { call: CurrentCall }) {
  const { session, snapshot } = call;
  const { reportProblem } = useCallActions();
  const [answering, setAnswering] = useState(false);
  const audible = useRingtone(snapshot.phase === 'ringing-in' ? 'ring' : null);
  const { peer, video, room } = snapshot;
  const acceptRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isTyping(document.activeElement)) takeFocus(acceptRef.current);
  }, []);

  const accept = async (withVideo: boolean) => {
    setAnswering(true);
    reportProblem(null);
    try {
      // Before accept() there is no media yet: this only sets what accept() will open.
      if (!withVideo && video) await session.setVideo(false);
      await session.accept();
    } catch (error) {
      reportProblem(describeCallFailure(error, peer.name, withVideo));
    } finally {
      setAnswering(false);
    }
  };

  return (
    <section
      className={styles.incoming}
      role="alertdialog"
      data-call-ui=""
      data-testid="incoming-call"
      data-video={video ? 'true' : 'false'}
      data-ringing={audible ? 'true' : 'false'}
      aria-labelledby="incoming-call-title"
      aria-describedby="incoming-call-kind"
    >
      <span className={styles.incomingAvatar} aria-hidden="true">
        {initialOf(peer.name)}
      </span>
      <div className={styles.incomingText}>
        <p
          id="incoming-call-title"
          className={styles.incomingTitle}
          role="alert"
          data-testid="call-state"
          data-phase={snapshot.phase}
        >
          {describeCallState(snapshot)}
        </p>
        <p id="incoming-call-kind" className={styles.incomingMeta}>
          {video ? <CameraIcon /> : <MicIcon />}
          <span data-testid="incoming-call-kind">{video ? 'Video call' : 'Audio call'}</span>
          <span aria-hidden="true">·</span>
          <span>#{room}</span>
        </p>
        {!audible ? (
          <p className={styles.incomingHint}>
            Ringing silently: the browser holds sound until you click the page.
          </p>
        ) : null}
      </div>
      <div className={styles.incomingActions}>
        <button
          type="button"
          className={`${styles.pillButton} ${styles.danger}`}
          data-testid="call-decline"
          disabled={answering}
          onClick={() => void session.decline()}
        >
          <HangUpIcon />
          <span>Decline</span>
        </button>
        {video ? (
          <button
            type="button"
            className={styles.pillButton}
            data-testid="call-accept-audio"
            disabled={answering}
            onClick={() => void accept(false)}
            title="Answer without sending your camera"
          >
            <MicIcon />
            <span>Audio only</span>
          </button>
        ) : null}
        <button
          ref={acceptRef}
          type="button"
          className={`${styles.pillButton} ${styles.accept}`}
          data-testid="call-accept"
          disabled={answering}
          onClick={() => void accept(video)}
        >
          {video ? <CameraIcon /> : <MicIcon />}
          <span>{answering ? 'Answering…' : 'Accept'}</span>
        </button>
      </div>
    </section>
  );
}
