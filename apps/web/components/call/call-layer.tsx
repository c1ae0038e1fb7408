'use client';

import { useEffect, useRef, useState } from 'react';
import { CallEndState } from '@duplex/client';
import { useCallActions, useCurrentCall } from '@/hooks/use-call';
import { useSideColumn } from '@/hooks/use-side-column';
import { describeFailedCall, wasAnsweredElsewhere } from '@/lib/call-text';
import { rememberFocus, returnFocus } from '@/lib/call-focus';
import { AnsweredElsewhereNote } from './answered-elsewhere-note';
import { CallErrorAlert } from './call-error-alert';
import { CallView } from './call-view';
import { IncomingCall } from './incoming-call';
import './call-stage.css';

/**
 * Everything about calls, rendered once by the layout-level provider: the incoming-call prompt,
 * the call view (on the stage beside the page, full screen on a phone, or folded into a bar)
 * and the call error alert. Living outside the pages, they stay up while the user moves
 * between rooms and pages. Focus goes into the call when it opens and back to where it was
 * when it closes.
 */
export function CallLayer() {
  const current = useCurrentCall();
  const { pending, problem, reportProblem } = useCallActions();
  const side = useSideColumn();
  // The ended call whose view the user closed.
  const [closedCallId, setClosedCallId] = useState<string | null>(null);
  const snapshot = current?.snapshot ?? null;

  // A call that failed says why in the alert, which stays until dismissed: the ended call
  // view goes away after a few seconds, too soon to read what to try.
  const reported = useRef<string | null>(null);
  useEffect(() => {
    const failure = snapshot ? describeFailedCall(snapshot) : null;
    if (!snapshot || !failure || reported.current === snapshot.callId) return;
    reported.current = snapshot.callId;
    reportProblem(failure);
  }, [snapshot, reportProblem]);

  const ringing = snapshot?.phase === 'ringing-in';
  // Declining is its own answer: no "call ended" screen for the one who pressed Decline.
  const declinedHere =
    snapshot?.phase === 'ended' &&
    snapshot.role === 'callee' &&
    snapshot.endReason === CallEndState.Declined;
  // Another tab of this user took the call: the prompt just goes, with a word why.
  const answeredElsewhere = snapshot !== null && wasAnsweredElsewhere(snapshot);
  const closedHere = snapshot !== null && snapshot.callId === closedCallId;
  const showView =
    pending !== null ||
    (current !== null && !ringing && !declinedHere && !answeredElsewhere && !closedHere);
  const callUiOpen = ringing || showView;

  // What had focus before the call UI opened gets it back once it is gone.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (callUiOpen && !wasOpen.current) rememberFocus();
    if (!callUiOpen && wasOpen.current) returnFocus();
    wasOpen.current = callUiOpen;
  }, [callUiOpen]);

  return (
    <>
      {current && ringing ? <IncomingCall call={current} /> : null}
      {answeredElsewhere ? <AnsweredElsewhereNote /> : null}
      {showView ? (
        <CallView
          call={ringing ? null : current}
          pending={pending}
          side={side}
          onClose={(callId) => setClosedCallId(callId)}
        />
      ) : null}
      {problem ? <CallErrorAlert problem={problem} onDismiss={() => reportProblem(null)} /> : null}
    </>
  );
}
