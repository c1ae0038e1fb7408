import { describe, expect, it } from 'vitest';
import { decode, errorFrame, parseEventData } from '../src/index.js';
import {
  ascii,
  emoji,
  expectFailure,
  expectInvalid,
  expectSuccess,
  expectValid,
  frame,
} from './helpers.js';

describe('hello', () => {
  describe('valid', () => {
    it('accepts protocol 1 and a plain name', () => {
      expectValid('hello', { protocol: 1, name: 'Alice' });
    });

    it('accepts a resume token', () => {
      expectValid('hello', { protocol: 1, name: 'Alice', resume: 'opaque-token.123' });
    });

    it('returns the name trimmed', () => {
      expectValid('hello', { protocol: 1, name: '  Alice  ' }, { protocol: 1, name: 'Alice' });
    });

    it('trims as String.prototype.trim does (tabs, line breaks, NBSP, BOM, ideographic space)', () => {
      expectValid(
        'hello',
        { protocol: 1, name: '\t\r\n\u00a0\ufeff\u3000Bob\u2028\u2029 ' },
        { protocol: 1, name: 'Bob' },
      );
    });

    it('checks control characters after trimming (leading/trailing CR LF TAB are trimmed away)', () => {
      expectValid(
        'hello',
        { protocol: 1, name: '\r\n\tCarol\t\r\n' },
        { protocol: 1, name: 'Carol' },
      );
    });

    it('keeps inner spaces', () => {
      expectValid(
        'hello',
        { protocol: 1, name: '  Ada  Lovelace ' },
        { protocol: 1, name: 'Ada  Lovelace' },
      );
    });

    it('accepts 1 character', () => {
      expectValid('hello', { protocol: 1, name: 'x' });
    });

    it('accepts 32 ASCII characters', () => {
      expectValid('hello', { protocol: 1, name: ascii(32) });
    });

    it('accepts 32 emoji (32 code points, 64 UTF-16 units)', () => {
      const name = emoji(32);
      expect(name.length).toBe(64);
      expectValid('hello', { protocol: 1, name });
    });

    it('measures after trimming: 32 characters surrounded by spaces', () => {
      expectValid(
        'hello',
        { protocol: 1, name: `   ${emoji(32)}   ` },
        { protocol: 1, name: emoji(32) },
      );
    });

    it('accepts non-Cc characters next to the Cc ranges (U+0020, U+007E, U+00A0 inside)', () => {
      expectValid('hello', { protocol: 1, name: 'a b~c\u00a0d' });
    });

    it('accepts non-Latin names', () => {
      expectValid('hello', { protocol: 1, name: 'Zoë 李雷 Ωμέγα 🚀' });
    });
  });

  describe('invalid name', () => {
    it.each([
      ['empty', ''],
      ['only spaces', '    '],
      ['only whitespace and line breaks', ' \t\r\n '],
      ['33 ASCII characters', ascii(33)],
      ['33 emoji', emoji(33)],
      ['a NUL inside', 'a\u0000b'],
      ['a line feed inside', 'a\nb'],
      ['a tab inside', 'a\tb'],
      ['a carriage return inside', 'a\rb'],
      ['U+001F inside', 'a\u001fb'],
      ['DEL (U+007F)', 'a\u007f'],
      ['U+0085 (NEL, Cc, not trimmed)', 'a\u0085b'],
      ['U+0085 at the start (trim does not remove it)', '\u0085Alice'],
      ['U+0085 at the end (trim does not remove it)', 'Alice\u0085'],
      ['U+009F', 'a\u009f'],
      ['ESC', 'a\u001b[31m'],
    ])('rejects a name that is %s', (_label, name) => {
      expectInvalid('hello', { protocol: 1, name }, ['name']);
    });

    it.each([
      ['missing', undefined],
      ['a number', 5],
      ['null', null],
      ['an array', ['Alice']],
      ['an object', { first: 'Alice' }],
    ])('rejects a name that is %s', (_label, name) => {
      const data: Record<string, unknown> = { protocol: 1 };
      if (name !== undefined) data.name = name;
      expectInvalid('hello', data, ['name']);
    });
  });

  describe('protocol', () => {
    it.each([
      ['missing', undefined],
      ['the string "1"', '1'],
      ['1.5', 1.5],
      ['null', null],
      ['true', true],
      ['an array', [1]],
    ])('is bad_message listing "protocol" when %s', (_label, protocol) => {
      const data: Record<string, unknown> = { name: 'Alice' };
      if (protocol !== undefined) data.protocol = protocol;
      expectInvalid('hello', data, ['protocol']);
    });

    it('lists every failing key: protocol "1" and an empty name', () => {
      expectInvalid('hello', { protocol: '1', name: '' }, ['protocol', 'name']);
    });

    it('lists every failing key: protocol 1.5 and a missing name', () => {
      expectInvalid('hello', { protocol: 1.5 }, ['protocol', 'name']);
    });

    it.each([2, 0, -1, 100, 2 ** 40])('is unsupported_protocol for the integer %s', (protocol) => {
      const parsed = expectFailure(parseEventData('hello', { protocol, name: 'Alice' }));
      expect(parsed.code).toBe('unsupported_protocol');
      expect(parsed).not.toHaveProperty('fields');

      const decoded = expectFailure(decode(frame('hello', { protocol, name: 'Alice' })));
      expect(decoded.code).toBe('unsupported_protocol');
      expect(decoded).not.toHaveProperty('fields');
      expect(decoded).not.toHaveProperty('id');
    });

    it.each([
      ['empty', { name: '' }],
      ['missing', {}],
      ['too long', { name: ascii(33) }],
      ['a number', { name: 7 }],
      ['with a control character', { name: 'a\u0000' }],
    ])(
      'is checked before the name: protocol 2 with a name that is %s is unsupported_protocol',
      (_label, rest) => {
        const data = { protocol: 2, ...rest };
        expect(expectFailure(parseEventData('hello', data)).code).toBe('unsupported_protocol');
        expect(expectFailure(decode(frame('hello', data))).code).toBe('unsupported_protocol');
      },
    );

    it('unsupported_protocol carries the request id', () => {
      const error = expectFailure(decode(frame('hello', { protocol: 2, name: 'Alice' }, 'h-1')));
      expect(error.code).toBe('unsupported_protocol');
      expect(error.id).toBe('h-1');
    });

    it('unsupported_protocol becomes an error frame without details', () => {
      const error = expectFailure(decode(frame('hello', { protocol: 2, name: '' }, 'h-1')));
      const out = errorFrame(error);
      expect(out.event).toBe('error');
      expect(out.id).toBe('h-1');
      expect(out.data.code).toBe('unsupported_protocol');
      expect(out.data).not.toHaveProperty('details');
    });
  });

  describe('resume', () => {
    it.each([
      ['a number', 5],
      ['null', null],
      ['an object', { token: 'x' }],
    ])('rejects a resume token that is %s', (_label, resume) => {
      expectInvalid('hello', { protocol: 1, name: 'Alice', resume }, ['resume']);
    });

    it('lists resume together with a bad name', () => {
      expectInvalid('hello', { protocol: 1, name: '', resume: 5 }, ['name', 'resume']);
    });
  });

  describe('identity', () => {
    const hello = (identity: unknown): Record<string, unknown> => ({
      protocol: 1,
      name: 'Alice',
      identity,
    });
    /** What a hello reads an identity as: the string kept, or nothing (a new user). */
    const presented = (identity: unknown): unknown => {
      const data = expectSuccess(parseEventData('hello', hello(identity)));
      return data.identity;
    };

    it('is optional', () => {
      expectValid('hello', { protocol: 1, name: 'Alice' });
      expect(expectSuccess(parseEventData('hello', { protocol: 1, name: 'Alice' })).identity).toBe(
        undefined,
      );
    });

    it.each([
      ['an opaque token', 'v1.u-42.bWFj'],
      ['1 character', 'x'],
      ['512 ASCII characters', ascii(512)],
      ['512 emoji (512 code points, 1024 UTF-16 units)', emoji(512)],
      ['surrounding spaces, taken as sent', '  id-1  '],
    ])('keeps an identity of %s, as sent', (_label, identity) => {
      expectValid('hello', hello(identity));
      expect(presented(identity)).toBe(identity);
    });

    it.each([
      ['null', null],
      ['empty', ''],
      ['513 ASCII characters', ascii(513)],
      ['513 emoji', emoji(513)],
      ['a number', 42],
      ['a boolean', true],
      ['an object', { token: 'x' }],
      ['an array', ['x']],
    ])(
      'reads an identity that is %s as absent (a new user), never as an error',
      (_label, identity) => {
        expectValid('hello', hello(identity), { protocol: 1, name: 'Alice' });
        expect(presented(identity)).toBeUndefined();
      },
    );

    it('keeps identity and resume together (the server lets the token decide)', () => {
      expectValid('hello', { protocol: 1, name: 'Alice', resume: 'tok', identity: 'id-1' });
    });

    it('is never named in bad_message: a bad name with an unusable identity names only name', () => {
      expectInvalid('hello', { protocol: 1, name: '', identity: 5 }, ['name']);
      expectInvalid('hello', { protocol: 1, name: '', identity: ascii(600) }, ['name']);
    });

    it('does not make protocol 2 anything but unsupported_protocol', () => {
      const error = expectFailure(parseEventData('hello', { protocol: 2, name: 'A', identity: 1 }));
      expect(error.code).toBe('unsupported_protocol');
    });
  });
});

describe.each(['ping', 'ice.refresh'] as const)('%s', (event) => {
  it('accepts empty data', () => {
    expectValid(event, {});
  });
});
