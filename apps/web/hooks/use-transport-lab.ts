import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_RUN_SETTINGS } from '@/lib/transports/settings';
import { TransportRun, type RunSettings, type RunView } from '@/lib/transports/transport-run';

/** How often the numbers on the page are refreshed: not on every event. */
const VIEW_REFRESH_MS = 500;

export interface TransportLab {
  settings: RunSettings;
  /** The user wants the clients running (they may still be stopping or reconnecting). */
  active: boolean;
  view: RunView | null;
  start(): void;
  stop(): void;
  /** New settings; while active, all four start again on the new stream. */
  change(settings: RunSettings): void;
}

/**
 * Runs the four ticker clients against the api at `apiUrl` ({@link TransportRun}) and gives the
 * page a fresh view of their numbers every {@link VIEW_REFRESH_MS}. A run starts when the page
 * opens, again on Start and on every change of settings; Stop lets the pollers finish their
 * request, so the numbers come to rest.
 */
export function useTransportLab(
  apiUrl: string | null,
  initial: RunSettings = DEFAULT_RUN_SETTINGS,
): TransportLab {
  const [settings, setSettings] = useState(initial);
  const [active, setActive] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [view, setView] = useState<RunView | null>(null);
  const activeRef = useRef(active);
  const runRef = useRef<TransportRun | null>(null);

  useEffect(() => {
    if (!apiUrl || !activeRef.current) return;
    const run = new TransportRun(apiUrl, settings);
    runRef.current = run;
    void run.start();
    setView(run.view());
    const refresh = window.setInterval(() => setView(run.view()), VIEW_REFRESH_MS);
    return () => {
      window.clearInterval(refresh);
      run.dispose();
      if (runRef.current === run) runRef.current = null;
    };
  }, [apiUrl, settings, generation]);

  const start = useCallback(() => {
    activeRef.current = true;
    setActive(true);
    setGeneration((n) => n + 1);
  }, []);

  const stop = useCallback(() => {
    activeRef.current = false;
    setActive(false);
    runRef.current?.stop();
  }, []);

  const change = useCallback((next: RunSettings) => setSettings(next), []);

  return { settings, active, view, start, stop, change };
}
