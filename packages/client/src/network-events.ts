/** Something that fires the browser's `online` and `offline` events (a `window`). */
export interface NetworkEventSource {
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

/** The page's `window` in a browser; nothing in Node. */
export function defaultNetworkEventSource(): NetworkEventSource | null {
  const candidate = globalThis as Partial<NetworkEventSource> & { navigator?: unknown };
  return typeof candidate.addEventListener === 'function' && candidate.navigator !== undefined
    ? (candidate as NetworkEventSource)
    : null;
}

/** Listens for the network going away and coming back; returns the function that stops it. */
export function watchNetwork(
  source: NetworkEventSource | null,
  handlers: { online: () => void; offline: () => void },
): () => void {
  if (!source) return () => {};
  source.addEventListener('online', handlers.online);
  source.addEventListener('offline', handlers.offline);
  return () => {
    source.removeEventListener('online', handlers.online);
    source.removeEventListener('offline', handlers.offline);
  };
}
