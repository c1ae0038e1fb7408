'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CallManager, type CallSession } from '@duplex/client';
import type { User } from '@duplex/protocol';
import {
  CallActionsContext,
  CallManagerContext,
  type CallActions,
  type PendingCall,
} from '@/hooks/use-call';
import { useDuplexClient } from '@/hooks/use-duplex-client';
import { describeCallFailure, type CallProblem } from '@/lib/call-text';
import { CallLayer } from './call-layer';

declare global {
  interface Window {
    /**
     * For e2e tests and diagnostics only: the page's CallManager, so that a test (or someone in
     * the devtools console) can reach `manager.current?.getPeerConnection()` and read its
     * `getStats()` (candidate types, decoded frames). The UI never reads it. Nothing secret is
     * in it: everything it holds is this tab's own call.
     */
    __duplexCall?: { manager: CallManager };
  }
}

let relayOnly: boolean | null = null;

/**
 * Diagnostic switch: `?relay=1` in the page's URL makes every call use TURN relay candidates
 * only (`iceTransportPolicy: 'relay'`), to check the TURN server and to force the relayed path
 * in e2e tests. Read once, when the first CallManager is made, so it survives client-side
 * navigation away from the URL that carried it.
 */
function forceRelay(): boolean {
  relayOnly ??= new URLSearchParams(window.location.search).get('relay') === '1';
  return relayOnly;
}

/**
 * One CallManager per DuplexClient: made when the provider's client appears, disposed (any call
 * hung up) when that client goes. Renders the call UI (incoming prompt, call view, errors) after
 * the page, so a call survives navigation between pages.
 */
export function CallProvider({ children }: { children: ReactNode }) {
  const client = useDuplexClient();
  const [manager, setManager] = useState<CallManager | null>(null);
  const [pending, setPending] = useState<PendingCall | null>(null);
  const [problem, setProblem] = useState<CallProblem | null>(null);
  // The call being placed now; `cancelled` once its caller gave up waiting.
  const attempt = useRef<{ cancelled: boolean } | null>(null);

  useEffect(() => {
    if (!client) return;
    const created = new CallManager(client, {
      ...(forceRelay() && { rtcConfig: { iceTransportPolicy: 'relay' as const } }),
    });
    setManager(created);
    const handle = { manager: created };
    window.__duplexCall = handle;
    return () => {
      created.dispose();
      if (window.__duplexCall === handle) delete window.__duplexCall;
      setManager((current) => (current === created ? null : current));
      setPending(null);
    };
  }, [client]);

  const placeCall = useCallback(
    (peer: User, room: string, video: boolean) => {
      if (!manager) return;
      const current = { cancelled: false };
      attempt.current = current;
      setProblem(null);
      setPending({ peer, room, video });
      manager.call(peer, room, { video }).then(
        (session: CallSession) => {
          if (attempt.current === current) setPending(null);
          // Hung up at once: the invite was already on its way, the callee sees it end.
          if (current.cancelled) void session.hangUp();
        },
        (error: unknown) => {
          if (attempt.current === current) setPending(null);
          if (current.cancelled) return;
          setProblem(describeCallFailure(error, peer.name, video));
        },
      );
    },
    [manager],
  );

  const cancelPending = useCallback(() => {
    if (attempt.current) attempt.current.cancelled = true;
    attempt.current = null;
    setPending(null);
  }, []);

  const actions = useMemo<CallActions>(
    () => ({ placeCall, pending, cancelPending, problem, reportProblem: setProblem }),
    [placeCall, pending, cancelPending, problem],
  );

  return (
    <CallManagerContext.Provider value={manager}>
      <CallActionsContext.Provider value={actions}>
        {children}
        <CallLayer />
      </CallActionsContext.Provider>
    </CallManagerContext.Provider>
  );
}
