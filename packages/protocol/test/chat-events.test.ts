import { describe, expect, it } from 'vitest';
import {
  createClientEventSchemas,
  decode,
  parseEventData,
  type ClientEventName,
} from '../src/index.js';
import {
  ascii,
  emoji,
  expectBadMessage,
  expectInvalid,
  expectSuccess,
  expectValid,
  frame,
} from './helpers.js';

/** Every client event with a `room`, with valid data around a given room. */
const withRoom: Array<[ClientEventName, (room: unknown) => Record<string, unknown>]> = [
  ['room.join', (room) => ({ room })],
  ['room.leave', (room) => ({ room })],
  ['chat.send', (room) => ({ room, clientId: 'c-1', text: 'hi' })],
  ['chat.typing', (room) => ({ room, typing: true })],
  ['call.invite', (room) => ({ callId: 'call-1', to: 'u-2', room, video: false })],
];

describe.each(withRoom)('room of %s', (event, build) => {
  it.each([
    'lobby',
    'a',
    '0',
    'a-b',
    'room-',
    '9-9--x',
    'general2',
    ascii(40),
    `a${'-'.repeat(39)}`,
  ])('accepts %j', (room) => {
    expectValid(event, build(room));
  });

  it.each([
    ['empty', ''],
    ['41 characters', ascii(41)],
    ['a leading hyphen', '-lobby'],
    ['only a hyphen', '-'],
    ['uppercase', 'Lobby'],
    ['all uppercase', 'LOBBY'],
    ['an underscore', 'my_room'],
    ['a space', 'my room'],
    ['a dot', 'my.room'],
    ['a slash', 'a/b'],
    ['surrounding spaces (not trimmed)', ' lobby '],
    ['a trailing line feed', 'lobby\n'],
    ['a non-ASCII letter', 'caf\u00e9'],
    ['an emoji', 'room😀'],
  ])('rejects a room with %s', (_label, room) => {
    expectInvalid(event, build(room), ['room']);
  });

  it.each([
    ['a number', 5],
    ['null', null],
    ['an array', ['lobby']],
  ])('rejects a room that is %s', (_label, room) => {
    expectInvalid(event, build(room), ['room']);
  });

  it('rejects a missing room', () => {
    const data = build('lobby');
    delete data.room;
    expectInvalid(event, data, ['room']);
  });
});

describe('room.join', () => {
  it('accepts a join without since', () => {
    expectValid('room.join', { room: 'lobby' });
  });

  it.each([0, 1, 500, 123456, Number.MAX_SAFE_INTEGER])('accepts since %s', (since) => {
    expectValid('room.join', { room: 'lobby', since });
  });

  it('accepts since as any integer >= 0, even one beyond 2^53 (spec: "since integer ≥ 0")', () => {
    expectValid('room.join', { room: 'lobby', since: 2 ** 53 });
  });

  it.each([
    ['negative', -1],
    ['a fraction', 1.5],
    ['a string', '1'],
    ['null', null],
    ['a boolean', true],
  ])('rejects since that is %s', (_label, since) => {
    expectInvalid('room.join', { room: 'lobby', since }, ['since']);
  });

  it('lists room and since together', () => {
    expectInvalid('room.join', { room: 'Lobby', since: -1 }, ['room', 'since']);
  });
});

describe('room.leave', () => {
  it('accepts a room', () => {
    expectValid('room.leave', { room: 'lobby' });
  });
});

describe('chat.typing', () => {
  it.each([true, false])('accepts typing %s', (typing) => {
    expectValid('chat.typing', { room: 'lobby', typing });
  });

  it.each([
    ['missing', undefined],
    ['the string "true"', 'true'],
    ['1', 1],
    ['null', null],
  ])('rejects typing that is %s', (_label, typing) => {
    const data: Record<string, unknown> = { room: 'lobby' };
    if (typing !== undefined) data.typing = typing;
    expectInvalid('chat.typing', data, ['typing']);
  });
});

describe('chat.send', () => {
  const send = (fields: Record<string, unknown>): Record<string, unknown> => ({
    room: 'lobby',
    clientId: 'c-1',
    text: 'hi',
    ...fields,
  });

  describe('text', () => {
    it('accepts plain text', () => {
      expectValid('chat.send', send({ text: 'hello, world' }));
    });

    it('keeps the text as sent (not trimmed)', () => {
      expectValid('chat.send', send({ text: '  hi there  ' }));
    });

    it('keeps surrounding line feeds, tabs and CR as sent (control characters are checked after trimming)', () => {
      expectValid('chat.send', send({ text: '\r\n\t hi \t\r\n' }));
    });

    it('accepts line feeds and tabs inside', () => {
      expectValid('chat.send', send({ text: 'line 1\nline 2\tcolumn' }));
    });

    it('accepts a single character', () => {
      expectValid('chat.send', send({ text: 'x' }));
    });

    it('accepts 4000 ASCII characters', () => {
      expectValid('chat.send', send({ text: ascii(4000) }));
    });

    it('accepts 4000 astral characters (4000 code points, 8000 UTF-16 units)', () => {
      const text = emoji(4000);
      expect(text.length).toBe(8000);
      expectValid('chat.send', send({ text }));
    });

    it('measures after trimming: 4000 characters plus surrounding whitespace, kept as sent', () => {
      expectValid('chat.send', send({ text: `  \n${emoji(4000)}\t  ` }));
    });

    it.each([
      ['empty', ''],
      ['only spaces', '     '],
      ['only line feeds and tabs', '\n\t\n'],
      ['4001 ASCII characters', ascii(4001)],
      ['4001 astral characters', emoji(4001)],
      ['a CR inside', 'a\rb'],
      ['CR LF inside', 'line 1\r\nline 2'],
      ['a NUL inside', 'a\u0000b'],
      ['a vertical tab inside', 'a\u000bb'],
      ['a form feed inside', 'a\u000cb'],
      ['an ESC sequence', '\u001b[31mred'],
      ['DEL', 'a\u007f'],
      ['U+0085 (NEL) inside', 'a\u0085b'],
      ['only U+0085 (not removed by trim)', '\u0085'],
      ['U+0085 at the end (not removed by trim)', 'hi\u0085'],
      ['U+009F', '\u009fhi'],
    ])('rejects text that is %s', (_label, text) => {
      expectInvalid('chat.send', send({ text }), ['text']);
    });

    it.each([
      ['missing', undefined],
      ['a number', 42],
      ['null', null],
      ['an array', ['hi']],
    ])('rejects text that is %s', (_label, text) => {
      const data = send({});
      if (text === undefined) delete data.text;
      else data.text = text;
      expectInvalid('chat.send', data, ['text']);
    });
  });

  describe('clientId', () => {
    it.each([
      ['1 character', 'c'],
      ['64 ASCII characters', ascii(64)],
      ['64 emoji', emoji(64)],
      ['a uuid', '3f1c1e4a-9c2b-4f7e-8d7e-0b6a2f1c9d10'],
    ])('accepts %s', (_label, clientId) => {
      expectValid('chat.send', send({ clientId }));
    });

    it('takes the clientId as sent (not trimmed)', () => {
      expectValid('chat.send', send({ clientId: '  c-1  ' }));
    });

    it('accepts a clientId of one space (taken as sent, 1 character)', () => {
      expectValid('chat.send', send({ clientId: ' ' }));
    });

    it.each([
      ['empty', ''],
      ['65 ASCII characters', ascii(65)],
      ['65 emoji', emoji(65)],
      ['64 characters plus a trailing space (not trimmed)', `${ascii(64)} `],
      ['a number', 1],
      ['null', null],
    ])('rejects a clientId that is %s', (_label, clientId) => {
      expectInvalid('chat.send', send({ clientId }), ['clientId']);
    });

    it('rejects a missing clientId', () => {
      expectInvalid('chat.send', { room: 'lobby', text: 'hi' }, ['clientId']);
    });
  });

  it('lists every failing key', () => {
    expectInvalid('chat.send', { room: 'Lobby', clientId: '', text: '   ' }, [
      'room',
      'clientId',
      'text',
    ]);
  });

  it('lists every missing key for empty data', () => {
    expectInvalid('chat.send', {}, ['room', 'clientId', 'text']);
  });
});

describe('createClientEventSchemas({ maxTextChars: 10 })', () => {
  const schemas = createClientEventSchemas({ maxTextChars: 10 });
  const send = (text: string) => ({ room: 'lobby', clientId: 'c-1', text });

  it('accepts 10 characters', () => {
    expectValid('chat.send', send(ascii(10)), send(ascii(10)), schemas);
  });

  it('accepts 10 astral characters', () => {
    expectValid('chat.send', send(emoji(10)), send(emoji(10)), schemas);
  });

  it('measures after trimming', () => {
    expectValid('chat.send', send(`  ${ascii(10)}\n`), send(`  ${ascii(10)}\n`), schemas);
  });

  it('rejects 11 characters', () => {
    expectInvalid('chat.send', send(ascii(11)), ['text'], schemas);
  });

  it('rejects 11 astral characters', () => {
    expectInvalid('chat.send', send(emoji(11)), ['text'], schemas);
  });

  it('still rejects empty text', () => {
    expectInvalid('chat.send', send('  '), ['text'], schemas);
  });

  it('does not change the default schemas (11 characters valid there)', () => {
    expectSuccess(parseEventData('chat.send', send(ascii(11))));
    expectSuccess(decode(frame('chat.send', send(ascii(11)))));
  });

  it('honours a larger limit too', () => {
    const big = createClientEventSchemas({ maxTextChars: 5000 });
    expectSuccess(decode(frame('chat.send', send(ascii(5000))), big));
    expectBadMessage(decode(frame('chat.send', send(ascii(5001))), big), ['text']);
  });

  it('leaves the other events unchanged', () => {
    expectValid(
      'hello',
      { protocol: 1, name: ascii(32) },
      { protocol: 1, name: ascii(32) },
      schemas,
    );
    expectInvalid('hello', { protocol: 1, name: ascii(33) }, ['name'], schemas);
  });
});
