import { describe, expect, it } from 'vitest';
import {
  ROOM_NAME_RULE,
  checkRoomName,
  isRoomName,
  normalizeRoomInput,
  suggestRoomName,
} from '@/lib/room-name';

describe('ROOM_NAME_RULE', () => {
  it('states the rule in words', () => {
    expect(ROOM_NAME_RULE).toBe(
      'Use 1 to 40 characters: lowercase letters a–z, digits and hyphens, starting with a letter or digit.',
    );
  });
});

describe('isRoomName', () => {
  it("follows the protocol's pattern", () => {
    for (const good of ['general', 'a', '0', 'team-chat', 'x-', 'a'.repeat(40)]) {
      expect(isRoomName(good), good).toBe(true);
    }
    for (const bad of ['', '-a', 'General', 'team chat', 'café', 'a'.repeat(41), ' general']) {
      expect(isRoomName(bad), bad).toBe(false);
    }
  });
});

describe('normalizeRoomInput', () => {
  it('lower-cases what is typed, and nothing more', () => {
    expect(normalizeRoomInput('Team-Chat')).toBe('team-chat');
    expect(normalizeRoomInput(' Team Chat ')).toBe(' team chat ');
  });
});

describe('checkRoomName', () => {
  it('accepts a room name, trimmed', () => {
    expect(checkRoomName('general')).toEqual({ ok: true, room: 'general' });
    expect(checkRoomName('  team-chat \n')).toEqual({ ok: true, room: 'team-chat' });
  });

  it('asks for a name when there is none', () => {
    const message = `Type a room name. ${ROOM_NAME_RULE}`;
    expect(checkRoomName('')).toEqual({ ok: false, message });
    expect(checkRoomName('   ')).toEqual({ ok: false, message });
  });

  it('names the characters that are not allowed', () => {
    expect(checkRoomName('team chat')).toEqual({
      ok: false,
      message: `Space is not allowed. ${ROOM_NAME_RULE}`,
    });
    expect(checkRoomName('Team_chat!_')).toEqual({
      ok: false,
      message: `“T”, “_”, “!” are not allowed. ${ROOM_NAME_RULE}`,
    });
    expect(checkRoomName('team\tchat')).toEqual({
      ok: false,
      message: `Whitespace is not allowed. ${ROOM_NAME_RULE}`,
    });
  });

  it('says a name cannot start with a hyphen', () => {
    expect(checkRoomName('-chat')).toEqual({
      ok: false,
      message: `A room name cannot start with a hyphen. ${ROOM_NAME_RULE}`,
    });
    expect(checkRoomName('-team chat')).toEqual({
      ok: false,
      message: `A room name cannot start with a hyphen; space is not allowed. ${ROOM_NAME_RULE}`,
    });
  });

  it('says how long a name that is too long is, quoting its start', () => {
    expect(checkRoomName('a'.repeat(41))).toEqual({
      ok: false,
      message: `“${'a'.repeat(15)}…” is 41 characters long. ${ROOM_NAME_RULE}`,
    });
    expect(checkRoomName(`${'b'.repeat(44)}!`)).toEqual({
      ok: false,
      message: `“${'b'.repeat(15)}…” is 45 characters long; “!” is not allowed. ${ROOM_NAME_RULE}`,
    });
  });

  it('counts and quotes characters beyond the BMP whole', () => {
    const emoji = '😀'.repeat(41);
    const check = checkRoomName(emoji);
    expect(check).toEqual({
      ok: false,
      message: `“${'😀'.repeat(15)}…” is 41 characters long; “😀” is not allowed. ${ROOM_NAME_RULE}`,
    });
  });

  it('quotes a short name that is not allowed whole', () => {
    expect(checkRoomName('😀'.repeat(3))).toEqual({
      ok: false,
      message: `“😀” is not allowed. ${ROOM_NAME_RULE}`,
    });
  });
});

describe('suggestRoomName', () => {
  it('turns a name into one that is allowed', () => {
    expect(suggestRoomName('Team Chat')).toBe('team-chat');
    expect(suggestRoomName('  Café   Über! ')).toBe('cafe-uber');
    expect(suggestRoomName('--hello--world--')).toBe('hello-world');
    expect(suggestRoomName('C++ & Rust')).toBe('c-rust');
  });

  it('cuts a long suggestion to 40 characters without a trailing hyphen', () => {
    expect(suggestRoomName('a'.repeat(50))).toBe('a'.repeat(40));
    expect(suggestRoomName(`${'a'.repeat(39)} b`)).toBe('a'.repeat(39));
  });

  it('has none when nothing usable is left', () => {
    expect(suggestRoomName('')).toBeNull();
    expect(suggestRoomName('!!!')).toBeNull();
    expect(suggestRoomName('日本語')).toBeNull();
  });

  it('suggests only names that pass the check', () => {
    for (const raw of ['Team Chat', 'ÅÄÖ 123', 'x'.repeat(80), '-_-a-_-']) {
      const suggestion = suggestRoomName(raw);
      expect(suggestion, raw).not.toBeNull();
      expect(checkRoomName(suggestion!), raw).toEqual({ ok: true, room: suggestion });
    }
  });
});
