'use client';

import { useEffect, useRef } from 'react';
import { CallEndState } from '@duplex/client';
import { useCallActions, useCurrentCall } from '@/hooks/use-call';
import { describeFailedCall, wasAnsweredElsewhere } from '@/lib/call-text';
import { AnsweredElsewhereNote } from './answered-elsewhere-note';
import { CallErrorAlert } from './call-error-alert';
import { CallView } from './call-view';
import { IncomingCall } from './incoming-call';

/**
 * Everything about calls that floats over the page, rendered once by the layout-level provider:
 * the incoming-call prompt, the call view and the call error alert. Living outside the pages,
 * they stay up while the user moves between rooms and pages.
 */
export function CallLayer() {
  const current = useCurrentCall();
  const { pending, problem, reportProblem } = useCallActions();
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
  const showView =
    pending !== null || (current !== null && !ringing && !declinedHere && !answeredElsewhere);

  return (
    <>
      {current && ringing ? <IncomingCall call={current} /> : null}
      {answeredElsewhere ? <AnsweredElsewhereNote /> : null}
      {showView ? <CallView call={ringing ? null : current} pending={pending} /> : null}
      {problem ? <CallErrorAlert problem={problem} onDismiss={() => reportProblem(null)} /> : null}
    </>
  );
}
