/**
 * Whether the browser has a network, as its `online` and `offline` events last said. A page
 * that just loaded came over the network, so it starts online; `navigator.onLine` itself is not
 * read: false only means no network interface but loopback, which a server on this machine
 * still answers through.
 */
let online = true;
let watching = false;
const listeners = new Set<() => void>();

function set(value: boolean): void {
  if (online === value) return;
  online = value;
  for (const listener of [...listeners]) listener();
}

function watch(): void {
  if (watching || typeof window === 'undefined') return;
  watching = true;
  window.addEventListener('online', () => set(true));
  window.addEventListener('offline', () => set(false));
}

/** Starts following the browser's events (once, for the page's life); returns the unsubscribe. */
export function subscribeNetworkStatus(listener: () => void): () => void {
  watch();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function isNetworkOnline(): boolean {
  return online;
}
