import { PROTOCOL_BOUNDS, codePointLength } from '@duplex/protocol';

/**
 * The user's identity: the signed token of every `hello` ack, presented again by the next
 * `hello` so that the server knows the same user. Kept in localStorage, shared by every tab of
 * the browser: a reload, a second tab and a new display name are all the same person.
 */
export const IDENTITY_KEY = 'duplex.identity';

// Where storage is disabled (privacy settings), the identity lives as long as the page.
let pageIdentity: string | null = null;

function isPresentable(value: string | null | undefined): value is string {
  return (
    typeof value === 'string' &&
    value !== '' &&
    codePointLength(value) <= PROTOCOL_BOUNDS.identityMaxChars
  );
}

/** The identity to present in `hello`, or undefined on a first visit (the server makes one). */
export function readIdentity(): string | undefined {
  try {
    const stored = localStorage.getItem(IDENTITY_KEY);
    if (isPresentable(stored)) return stored;
  } catch {
    // Storage disabled: fall back to this page's own.
  }
  return isPresentable(pageIdentity) ? pageIdentity : undefined;
}

/** Keeps the identity of the latest `hello` ack (a new one replaces an invalid or rotated one). */
export function storeIdentity(identity: string): void {
  if (!isPresentable(identity)) return;
  pageIdentity = identity;
  try {
    if (localStorage.getItem(IDENTITY_KEY) !== identity)
      localStorage.setItem(IDENTITY_KEY, identity);
  } catch {
    // Not remembered across reloads, but this page keeps being the same user.
  }
}
