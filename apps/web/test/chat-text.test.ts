import { describe, expect, it } from 'vitest';
import { ErrorCode, type User } from '@duplex/protocol';
import { checkComposerText, describeSendError, describeTyping } from '@/lib/chat-text';

const user = (name: string): User => ({ userId: `id-${name}`, name });

describe('describeSendError', () => {
  it('says why the server refused a message', () => {
    expect(describeSendError(ErrorCode.BadMessage)).toBe(
      'The server refused this message (empty, too long, or a control character).',
    );
    expect(describeSendError(ErrorCode.NotInRoom)).toBe(
      'You were not in the room when this was sent.',
    );
    expect(describeSendError(ErrorCode.RateLimited)).toBe('Too many messages at once.');
    expect(describeSendError(ErrorCode.Unauthenticated)).toBe('The connection was not signed in.');
    expect(describeSendError(ErrorCode.Internal)).toBe('The server failed to store it.');
  });

  it('quotes a code it has no words for', () => {
    expect(describeSendError(ErrorCode.BadState)).toBe('The server answered “bad_state”.');
    expect(describeSendError('teapot')).toBe('The server answered “teapot”.');
  });

  it('says "Not sent." without a code', () => {
    expect(describeSendError(undefined)).toBe('Not sent.');
    expect(describeSendError('')).toBe('Not sent.');
  });
});

describe('describeTyping', () => {
  it('names one or two people typing, and counts no further', () => {
    expect(describeTyping([])).toBeNull();
    expect(describeTyping([user('Ann')])).toBe('Ann is typing…');
    expect(describeTyping([user('Ann'), user('Bob')])).toBe('Ann and Bob are typing…');
    expect(describeTyping([user('Ann'), user('Bob'), user('Carol')])).toBe(
      'Several people are typing…',
    );
  });
});

describe('checkComposerText', () => {
  it('measures the trimmed text in code points', () => {
    expect(checkComposerText('  hi  ', 10)).toEqual({ sendable: true, length: 2 });
    expect(checkComposerText('😀😀', 10)).toEqual({ sendable: true, length: 2 });
    expect(checkComposerText('line one\nline two', 100)).toEqual({ sendable: true, length: 17 });
  });

  it('refuses an empty message', () => {
    expect(checkComposerText('', 10)).toEqual({ sendable: false, length: 0, reason: 'empty' });
    expect(checkComposerText(' \n\t ', 10)).toEqual({
      sendable: false,
      length: 0,
      reason: 'empty',
    });
  });

  it('allows exactly the limit, and refuses one more', () => {
    expect(checkComposerText('a'.repeat(5), 5)).toEqual({ sendable: true, length: 5 });
    expect(checkComposerText(`${'😀'.repeat(5)} `, 5)).toEqual({ sendable: true, length: 5 });
    expect(checkComposerText('a'.repeat(6), 5)).toEqual({
      sendable: false,
      length: 6,
      reason: 'too-long',
    });
  });
});
