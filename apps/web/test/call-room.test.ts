import { describe, expect, it } from 'vitest';
import { freshCallRoomName } from '@/lib/call-room';
import { isRoomName } from '@/lib/room-name';

describe('freshCallRoomName', () => {
  it('is a valid room name with a random suffix', () => {
    const names = new Set(Array.from({ length: 50 }, () => freshCallRoomName()));
    for (const name of names) {
      expect(name).toMatch(/^call-[a-z0-9]{6}$/);
      expect(isRoomName(name)).toBe(true);
    }
    expect(names.size).toBe(50);
  });

  it('draws every character from the random source', () => {
    expect(freshCallRoomName(() => 0)).toBe('call-000000');
    expect(freshCallRoomName(() => 0.999)).toBe('call-zzzzzz');
  });
});
