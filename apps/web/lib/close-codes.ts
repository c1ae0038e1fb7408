import { CloseCode } from '@duplex/protocol';

// Codes a browser reports itself; they are never sent on the wire.
const BROWSER_CLOSE_CODES: Record<number, string> = {
  1005: 'No status received',
  1006: 'Abnormal closure, no close frame',
  1015: 'TLS handshake failed',
};

const PROTOCOL_CLOSE_CODES: Record<number, string> = Object.fromEntries(
  Object.entries(CloseCode).map(([name, code]) => [code, humanize(name)]),
);

function humanize(pascalCase: string): string {
  const words = pascalCase.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A short English meaning of a WebSocket close code, or null when it has none we know. */
export function describeCloseCode(code: number): string | null {
  return PROTOCOL_CLOSE_CODES[code] ?? BROWSER_CLOSE_CODES[code] ?? null;
}
