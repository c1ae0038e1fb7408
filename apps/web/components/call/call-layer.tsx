'use client';

import { useCallActions, useCurrentCall } from '@/hooks/use-call';
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

  const ringing = snapshot?.phase === 'ringing-in';
  // Declining is its own answer: no "call ended" screen for the one who pressed Decline.
  const declinedHere =
    snapshot?.phase === 'ended' && snapshot.role === 'callee' && snapshot.endReason === 'declined';
  const showView = pending !== null || (current !== null && !ringing && !declinedHere);

  return (
    <>
      {current && ringing ? <IncomingCall call={current} /> : null}
      {showView ? <CallView call={ringing ? null : current} pending={pending} /> : null}
      {problem ? <CallErrorAlert problem={problem} onDismiss={() => reportProblem(null)} /> : null}
    </>
  );
}
