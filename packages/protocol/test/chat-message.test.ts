import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES, isTextMessage, schemas, type ChatMessage } from '../src/index.js';
import { TS, bob, callMessage, callRecords, textMessage } from './fixtures.js';

function parseMessage(value: unknown): ChatMessage {
  const result = schemas.chatMessage.safeParse(value);
  if (!result.success) throw new Error(`expected a ChatMessage: ${result.error.message}`);
  return result.data;
}

const refused = (value: unknown): boolean => !schemas.chatMessage.safeParse(value).success;

describe('ChatMessage of a text message', () => {
  it('without kind is text', () => {
    const message = parseMessage(textMessage);
    expect(message).toEqual(textMessage);
    expect(isTextMessage(message)).toBe(true);
  });

  it('with kind "text" is text, and keeps the kind', () => {
    const message = parseMessage({ ...textMessage, kind: 'text' });
    expect(message).toEqual({ ...textMessage, kind: 'text' });
    expect(isTextMessage(message)).toBe(true);
  });

  it.each([
    ['no text', { text: undefined }],
    ['no clientId', { clientId: undefined }],
    ['no from', { from: undefined }],
    ['a numeric text', { text: 5 }],
    ['seq 0', { seq: 0 }],
    ['a ts that is not toISOString form', { ts: '2024-05-06 07:08:09' }],
  ])('with %s is refused', (_label, change) => {
    expect(refused({ ...textMessage, ...change })).toBe(true);
    expect(refused({ ...textMessage, kind: 'text', ...change })).toBe(true);
  });

  it('with kind "call" but text fields instead of a call record is refused', () => {
    expect(refused({ ...textMessage, kind: 'call' })).toBe(true);
  });
});

describe('ChatMessage of kind "call"', () => {
  it.each(CALL_OUTCOMES)('holds a %s call record', (outcome) => {
    const sample = callMessage(callRecords[outcome]);
    const message = parseMessage(sample);
    expect(message).toEqual(sample);
    expect(isTextMessage(message)).toBe(false);
  });

  it('has a sample record for every outcome', () => {
    expect(Object.keys(callRecords).sort()).toEqual([...CALL_OUTCOMES].sort());
  });

  const completed = callRecords.completed;
  const ENDED = '2024-05-06T07:10:04.250Z';
  it.each([
    ['no call', { call: undefined }],
    ['a call that is not an object', { call: 'call-1' }],
  ])('with %s is refused', (_label, change) => {
    expect(refused({ ...callMessage(completed), ...change })).toBe(true);
  });

  it.each([
    ['no callId', { callId: undefined }],
    ['an empty callId', { callId: '' }],
    ['a callId over 64 characters', { callId: 'c'.repeat(65) }],
    ['no caller', { caller: undefined }],
    ['a caller that is a userId string', { caller: 'u-1' }],
    ['a callee without name', { callee: { userId: 'u-2' } }],
    ['no video', { video: undefined }],
    ['video a string', { video: 'true' }],
    ['no outcome', { outcome: undefined }],
    ['an outcome that is not one of the four', { outcome: 'cancelled' }],
    ['an outcome that is a call end reason', { outcome: 'hangup' }],
    ['no startedAt', { startedAt: undefined }],
    ['startedAt without milliseconds', { startedAt: '2024-05-06T07:10:00Z' }],
    ['answeredAt not a time', { answeredAt: 'soon' }],
    ['no endedAt', { endedAt: undefined }],
    ['endedAt a number', { endedAt: 1_715_000_000_000 }],
    ['a negative durationMs', { durationMs: -1 }],
    ['a fractional durationMs', { durationMs: 1.5 }],
    ['durationMs a string', { durationMs: '150500' }],
  ])('whose record has %s is refused', (_label, change) => {
    expect(refused(callMessage({ ...completed, ...change }))).toBe(true);
  });

  it('of a call hung up at the accept has durationMs 0', () => {
    expect(
      refused(callMessage({ ...completed, answeredAt: ENDED, endedAt: ENDED, durationMs: 0 })),
    ).toBe(false);
  });

  describe('answeredAt and durationMs are present exactly when the call was accepted', () => {
    const without = (record: Record<string, unknown>, ...keys: string[]) =>
      Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));

    it.each([
      ['completed without answeredAt', without(callRecords.completed, 'answeredAt')],
      ['completed without durationMs', without(callRecords.completed, 'durationMs')],
      ['failed without either', without(callRecords.failed, 'answeredAt', 'durationMs')],
      ['missed with answeredAt', { ...callRecords.missed, answeredAt: TS }],
      ['declined with durationMs', { ...callRecords.declined, durationMs: 1000 }],
    ])('a record %s is refused', (_label, record) => {
      expect(refused(callMessage(record))).toBe(true);
    });
  });
});

describe('ChatMessage of a kind this client does not know', () => {
  it.each(['poll', 'reaction', 'Text', ''])('is not a ChatMessage: kind %j', (kind) => {
    expect(refused({ ...textMessage, kind })).toBe(true);
  });
});

describe('a list of ChatMessages (history)', () => {
  const list = (items: unknown[]) => schemas.chatMessageList.safeParse(items);

  it('keeps text and call messages in order', () => {
    const items = [
      { ...textMessage, seq: 1 },
      callMessage(callRecords.missed, 2),
      { ...textMessage, seq: 3, kind: 'text', from: bob },
      callMessage(callRecords.completed, 4),
    ];
    const result = list(items);
    expect(result.success && result.data).toEqual(items);
  });

  it('skips messages of a kind it does not know, keeping the rest in order', () => {
    const poll = { room: 'lobby', seq: 2, kind: 'poll', question: '?', ts: TS };
    const result = list([textMessage, poll, callMessage(callRecords.declined, 3)]);
    expect(result.success && result.data).toEqual([
      textMessage,
      callMessage(callRecords.declined, 3),
    ]);
  });

  it('skips an unknown kind whatever its other fields', () => {
    const result = list([{ kind: 'sticker' }, { kind: 'reaction', seq: 'x' }]);
    expect(result.success && result.data).toEqual([]);
  });

  it('refuses a list holding a malformed message of a known kind', () => {
    expect(
      list([textMessage, callMessage({ ...callRecords.completed, outcome: 'x' })]).success,
    ).toBe(false);
    expect(list([{ ...textMessage, text: undefined }]).success).toBe(false);
  });

  it.each([
    ['null', null],
    ['a number', 3],
    ['a string', 'hi'],
    ['an array', [textMessage]],
  ])('refuses a list holding %s', (_label, item) => {
    expect(list([textMessage, item]).success).toBe(false);
  });

  it('accepts an empty list', () => {
    const result = list([]);
    expect(result.success && result.data).toEqual([]);
  });
});
