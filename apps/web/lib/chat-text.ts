import { codePointLength, type ErrorCode, type User } from '@duplex/protocol';

const SEND_ERRORS: Partial<Record<ErrorCode, string>> = {
  bad_message: 'The server refused this message (empty, too long, or a control character).',
  not_in_room: 'You were not in the room when this was sent.',
  rate_limited: 'Too many messages at once.',
  unauthenticated: 'The connection was not signed in.',
  internal: 'The server failed to store it.',
};

/** Why a pending message failed, in words; the code stays visible for those who want it. */
export function describeSendError(code: string | undefined): string {
  if (!code) return 'Not sent.';
  return SEND_ERRORS[code as ErrorCode] ?? `The server answered “${code}”.`;
}

/** "Ann is typing…", "Ann and Bob are typing…", "Several people are typing…"; null for nobody. */
export function describeTyping(users: readonly User[]): string | null {
  const [first, second] = users;
  if (!first) return null;
  if (users.length === 1) return `${first.name} is typing…`;
  if (users.length === 2 && second) return `${first.name} and ${second.name} are typing…`;
  return 'Several people are typing…';
}

export type ComposerCheck =
  | { sendable: true; length: number }
  | { sendable: false; length: number; reason: 'empty' | 'too-long' };

/** What the server will check of `text`: 1 to `maxChars` code points after trimming. */
export function checkComposerText(text: string, maxChars: number): ComposerCheck {
  const length = codePointLength(text.trim());
  if (length === 0) return { sendable: false, length, reason: 'empty' };
  if (length > maxChars) return { sendable: false, length, reason: 'too-long' };
  return { sendable: true, length };
}
