import { schemas } from '@duplex/protocol';

export const DISPLAY_NAME_KEY = 'duplex.name';

function generateGuestName(): string {
  const digits = (crypto.getRandomValues(new Uint16Array(1))[0]! % 9000) + 1000;
  return `Guest ${digits}`;
}

/** The name this browser introduces itself with, created once and kept in localStorage. */
export function getOrCreateDisplayName(): string {
  try {
    const stored = localStorage.getItem(DISPLAY_NAME_KEY)?.trim();
    if (stored && schemas.displayName.safeParse(stored).success) return stored;
    const name = generateGuestName();
    localStorage.setItem(DISPLAY_NAME_KEY, name);
    return name;
  } catch {
    // Storage can be disabled (privacy settings); a name for this page load still works.
    return generateGuestName();
  }
}

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; message: string };

/**
 * Checks a name the way the server will (the protocol's own schema): 1–32 characters after
 * trimming, no control characters. On success `name` is the trimmed form that will be sent.
 */
export function checkDisplayName(raw: string): DisplayNameCheck {
  const parsed = schemas.displayName.safeParse(raw);
  if (parsed.success) return { ok: true, name: parsed.data };
  const reason = parsed.error.issues[0]?.message ?? 'is not a valid name';
  return { ok: false, message: `Your name ${reason}.` };
}

// The page's current name, read from storage once: a stable snapshot for useSyncExternalStore.
let current: string | null = null;
// How many times a name was chosen on this page: each choice needs a new `hello`.
let choices = 0;
const listeners = new Set<() => void>();

/** The name in use on this page: the remembered one, or a new guest name on the first visit. */
export function getDisplayName(): string {
  current ??= getOrCreateDisplayName();
  return current;
}

/** Counts the names chosen on this page with {@link setDisplayName}, not those adopted. */
export function getNameChoices(): number {
  return choices;
}

/** Uses `name` (already checked and trimmed) from now on, remembers it, and tells subscribers. */
export function setDisplayName(name: string): void {
  remember(name);
  if (name === current) return;
  current = name;
  choices += 1;
  for (const listener of [...listeners]) listener();
}

/**
 * Shows and remembers a name the user took elsewhere (another tab or device, reported by the
 * server), which the connection already uses: not a choice, so no new `hello`.
 */
export function adoptDisplayName(name: string): void {
  remember(name);
  if (name === current) return;
  current = name;
  for (const listener of [...listeners]) listener();
}

function remember(name: string): void {
  try {
    localStorage.setItem(DISPLAY_NAME_KEY, name);
  } catch {
    // Not remembered across visits, but still used on this page.
  }
}

export function subscribeDisplayName(listener: () => void): () => void {
  const page = typeof window === 'undefined' ? null : window;
  if (listeners.size === 0) page?.addEventListener('storage', adoptNameOfAnotherTab);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) page?.removeEventListener('storage', adoptNameOfAnotherTab);
  };
}

/** Another tab of this browser saved a name: this page shows it too (its own choice made there). */
function adoptNameOfAnotherTab(event: StorageEvent): void {
  if (event.key !== DISPLAY_NAME_KEY || event.newValue === null) return;
  const checked = checkDisplayName(event.newValue);
  if (checked.ok) adoptDisplayName(checked.name);
}
