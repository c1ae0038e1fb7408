/**
 * A fresh `clientId` for `chat.send`: `crypto.randomUUID()` where the platform has it (browsers in
 * secure contexts, Node ≥ 19), else 128 random bits from `crypto.getRandomValues`, else
 * `Math.random` (only ever a de-duplication key, never a secret).
 */
export function createClientId(): string {
  const crypto = (globalThis as { crypto?: CryptoLike }).crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `c-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues?: (array: Uint8Array) => Uint8Array;
}
