import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  decode,
  decodeEnvelope,
  errorDataSchema,
  errorFrame,
  type ErrorCode,
} from '../src/index.js';
import { ascii, emoji, expectBadMessage, expectFailure, expectSuccess, frame } from './helpers.js';

describe('bad_json', () => {
  it.each([
    ['not JSON', 'hello'],
    ['empty', ''],
    ['whitespace', '   '],
    ['truncated', '{"event":"ping","data":{}'],
    ['single quotes', "{'event':'ping','data':{}}"],
    ['a trailing comma', '{"event":"ping","data":{},}'],
    ['undefined', 'undefined'],
    ['two objects', '{"event":"ping","data":{}}{"event":"ping","data":{}}'],
  ])('for text that is %s', (_label, text) => {
    const error = expectFailure(decode(text));
    expect(error.code).toBe('bad_json');
    expect(error).not.toHaveProperty('fields');
    expect(error).not.toHaveProperty('id');
  });

  it.each([
    ['an empty array', '[]'],
    ['an array holding a frame', '[{"event":"ping","data":{},"id":"1"}]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"{\\"event\\":\\"ping\\",\\"data\\":{}}"'],
    ['true', 'true'],
  ])('for JSON that is not an object: %s', (_label, text) => {
    const error = expectFailure(decode(text));
    expect(error.code).toBe('bad_json');
    expect(error).not.toHaveProperty('fields');
    expect(error).not.toHaveProperty('id');
  });

  it('accepts surrounding whitespace around a JSON object', () => {
    expectSuccess(decode(' \n{"event":"ping","data":{}}\n '));
  });
});

describe('bad_message for the envelope', () => {
  describe('data', () => {
    it.each([
      ['missing', undefined],
      ['an array', []],
      ['null', null],
      ['a number', 1],
      ['a string', '{}'],
      ['a boolean', true],
    ])('lists ["data"] when data is %s', (_label, data) => {
      const text = data === undefined ? '{"event":"ping"}' : frame('ping', data);
      expectBadMessage(decode(text), ['data']);
    });

    it('is checked for an event without data fields too', () => {
      expectBadMessage(decode(frame('room.join', [])), ['data']);
    });
  });

  describe('event', () => {
    it.each([
      ['missing', undefined],
      ['a number', 1],
      ['null', null],
      ['empty', ''],
      ['an object', { name: 'ping' }],
      ['an array', ['ping']],
    ])('lists ["event"] when event is %s', (_label, event) => {
      const text = event === undefined ? '{"data":{}}' : frame(event, {});
      expectBadMessage(decode(text), ['event']);
    });
  });

  describe('id', () => {
    it.each([
      ['a number', 7],
      ['null', null],
      ['empty', ''],
      ['65 characters', ascii(65)],
      ['65 emoji', emoji(65)],
      ['a boolean', true],
      ['an object', {}],
      ['an array', ['7']],
    ])('lists ["id"] and carries no id when id is %s', (_label, id) => {
      expectBadMessage(decode(frame('ping', {}, id)), ['id']);
    });

    it('still answers bad_message for the id when the data would be valid', () => {
      expectBadMessage(
        decode(frame('chat.send', { room: 'lobby', clientId: 'c', text: 'hi' }, 7)),
        ['id'],
      );
    });

    it.each([
      ['1 character', '7'],
      ['64 characters', ascii(64)],
      ['64 emoji', emoji(64)],
      ['one space (taken as sent)', ' '],
      ['surrounding spaces (taken as sent)', '  r-1  '],
    ])('accepts an id of %s, returned as sent', (_label, id) => {
      expect(expectSuccess(decode(frame('ping', {}, id)))).toEqual({ event: 'ping', data: {}, id });
    });

    it('has no id key when the frame carries none', () => {
      const value = expectSuccess(decode(frame('ping', {})));
      expect(value).toEqual({ event: 'ping', data: {} });
      expect(value).not.toHaveProperty('id');
    });
  });

  describe('several envelope errors', () => {
    it('names event, data and id together', () => {
      expectBadMessage(decode('{"id":5}'), ['event', 'data', 'id']);
    });

    it('names event and data for an empty object', () => {
      expectBadMessage(decode('{}'), ['event', 'data']);
    });

    it('carries a valid id while event is missing', () => {
      expectBadMessage(decode('{"data":{},"id":"r-9"}'), ['event'], 'r-9');
    });

    it('carries a valid id while data is invalid', () => {
      expectBadMessage(decode(frame('ping', null, 'r-9')), ['data'], 'r-9');
    });

    it('carries no id when both data and id are invalid', () => {
      expectBadMessage(decode(frame('ping', [], '')), ['data', 'id']);
    });
  });

  it('checks the envelope before the event name', () => {
    expectBadMessage(decode(frame('no.such.event', [])), ['data']);
    expectBadMessage(decode(frame('no.such.event', {}, 1)), ['id']);
  });
});

describe('unknown_event', () => {
  it.each([
    'chat.sned',
    'CHAT.SEND',
    ' ping',
    'ping ',
    'ack',
    'error',
    'presence.joined',
    'chat.message',
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    '__defineGetter__',
  ])('for %j', (event) => {
    const error = expectFailure(decode(frame(event, {})));
    expect(error.code).toBe('unknown_event');
    expect(error).not.toHaveProperty('fields');
    expect(error).not.toHaveProperty('id');
  });

  it('carries the request id', () => {
    const error = expectFailure(decode(frame('toString', {}, 'u-1')));
    expect(error.code).toBe('unknown_event');
    expect(error.id).toBe('u-1');
  });

  it('is answered before the data schema', () => {
    const error = expectFailure(decode(frame('chat.sned', { room: 'Not Valid' })));
    expect(error.code).toBe('unknown_event');
  });

  it('decodeEnvelope also refuses prototype names', () => {
    for (const event of ['constructor', '__proto__', 'toString']) {
      expect(expectFailure(decodeEnvelope(frame(event, {}))).code).toBe('unknown_event');
    }
  });
});

describe('decodeEnvelope', () => {
  it('leaves data unchecked (the session is checked before the data schema)', () => {
    expect(expectSuccess(decodeEnvelope(frame('chat.send', {}, 'e-1')))).toEqual({
      event: 'chat.send',
      data: {},
      id: 'e-1',
    });
  });

  it('runs the JSON and envelope checks', () => {
    expect(expectFailure(decodeEnvelope('nope')).code).toBe('bad_json');
    expectBadMessage(decodeEnvelope(frame('ping', {}, '')), ['id']);
  });
});

describe('data schema errors carry the request id', () => {
  it('with an id', () => {
    expectBadMessage(decode(frame('room.leave', { room: 'UPPER' }, 'x-1')), ['room'], 'x-1');
  });

  it('without an id', () => {
    expectBadMessage(decode(frame('room.leave', { room: 'UPPER' })), ['room']);
  });
});

describe('errorFrame()', () => {
  it('bad_message carries details.fields and the id', () => {
    const error = expectFailure(decode(frame('chat.send', { room: 'lobby' }, 'q-1')));
    const out = errorFrame(error);
    expect(out.event).toBe('error');
    expect(out.id).toBe('q-1');
    expect(out.data.code).toBe('bad_message');
    expect(out.data.message).toBe(error.message);
    expect([...(out.data.details?.fields ?? [])].sort()).toEqual(['clientId', 'text']);
  });

  it('an envelope bad_message names the envelope field and has no id', () => {
    const out = errorFrame(expectFailure(decode(frame('ping', {}, 12))));
    expect(out).not.toHaveProperty('id');
    expect(out.data.details).toEqual({ fields: ['id'] });
  });

  it('bad_message with no field at fault (a second hello) omits details', () => {
    const out = errorFrame({ code: 'bad_message', message: 'second hello', id: 'h-2' });
    expect(out).toEqual({
      event: 'error',
      id: 'h-2',
      data: { code: 'bad_message', message: 'second hello' },
    });
    expect(out.data).not.toHaveProperty('details');
  });

  it('bad_message with an empty fields list omits details (an empty list is never sent)', () => {
    const out = errorFrame({ code: 'bad_message', message: 'binary frame', fields: [] });
    expect(out).toEqual({ event: 'error', data: { code: 'bad_message', message: 'binary frame' } });
    expect(out.data).not.toHaveProperty('details');
  });

  it('bad_json carries no details and no id', () => {
    const out = errorFrame(expectFailure(decode('{oops')));
    expect(out).toEqual({
      event: 'error',
      data: { code: 'bad_json', message: expect.any(String) },
    });
    expect(out.data).not.toHaveProperty('details');
    expect(out).not.toHaveProperty('id');
  });

  it('unknown_event carries no details, and the id', () => {
    const out = errorFrame(expectFailure(decode(frame('nope', {}, 'n-1'))));
    expect(out.id).toBe('n-1');
    expect(out.data.code).toBe('unknown_event');
    expect(out.data).not.toHaveProperty('details');
  });

  it.each(ERROR_CODES.filter((code) => code !== 'bad_message'))(
    '%s carries no details, even when fields are given',
    (code: ErrorCode) => {
      const out = errorFrame({ code, message: 'something', fields: ['room'], id: 'z-1' });
      expect(out).toEqual({ event: 'error', id: 'z-1', data: { code, message: 'something' } });
      expect(out.data).not.toHaveProperty('details');
    },
  );

  it.each(ERROR_CODES)('the frame for %s matches errorDataSchema', (code) => {
    const out = errorFrame({ code, message: 'm', fields: ['a'] });
    expect(errorDataSchema.safeParse(out.data).success).toBe(true);
    expect(out).not.toHaveProperty('id');
  });
});
