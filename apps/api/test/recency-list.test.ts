import type { User } from '@duplex/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalPresence } from '../src/presence/local-presence.js';
import { RecencyList } from '../src/presence/recency-list.js';

const user = (i: number): User => ({ userId: `u-${String(i).padStart(5, '0')}`, name: `U${i}` });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RecencyList', () => {
  it('orders keys by their latest set or touch, newest first', () => {
    const list = new RecencyList<string>();
    expect(list.set('a', 'A')).toBe(true);
    expect(list.set('b', 'B')).toBe(true);
    expect(list.set('c', 'C')).toBe(true);
    list.touch('a');
    expect([...list.newestFirst()]).toEqual(['A', 'C', 'B']);
    expect(list.set('b', 'B2')).toBe(false);
    expect([...list.newestFirst()]).toEqual(['B2', 'A', 'C']);
    list.touch('missing');
    expect(list.size).toBe(3);
  });

  it('deletes from the middle and from either end', () => {
    const list = new RecencyList<number>();
    for (let i = 1; i <= 5; i++) list.set(`k${i}`, i);
    expect(list.delete('k3')).toBe(true);
    expect(list.delete('k5')).toBe(true);
    expect(list.delete('k1')).toBe(true);
    expect(list.delete('k1')).toBe(false);
    expect([...list.newestFirst()]).toEqual([4, 2]);
    expect(new Set(list.values())).toEqual(new Set([2, 4]));
    list.delete('k2');
    list.delete('k4');
    expect([...list.newestFirst()]).toEqual([]);
    list.set('k6', 6);
    expect([...list.newestFirst()]).toEqual([6]);
    expect(list.has('k6')).toBe(true);
  });
});

describe('LocalPresence.recentUsers', () => {
  it('reads only the members it lists, not the whole room', async () => {
    const presence = new LocalPresence();
    for (let i = 0; i < 10_000; i++) await presence.hold('big', user(i));
    const joiner = user(10_000);
    await presence.hold('big', joiner);

    const newestFirst = RecencyList.prototype.newestFirst;
    let read = 0;
    vi.spyOn(RecencyList.prototype, 'newestFirst').mockImplementation(function* (
      this: RecencyList<unknown>,
    ) {
      for (const value of newestFirst.call(this)) {
        read++;
        yield value;
      }
    });
    const members = await presence.recentUsers('big', joiner, 100);

    expect(members).toHaveLength(100);
    expect(members[0]).toEqual(joiner);
    expect(members[1]).toEqual(user(9999));
    expect(members[99]).toEqual(user(9901));
    // The joiner (skipped, it is first already) and the 99 most recently active others.
    expect(read).toBe(100);
  });

  it('lists a member who was active lately before the others', async () => {
    const presence = new LocalPresence();
    for (let i = 0; i < 5; i++) await presence.hold('r', user(i));
    presence.touch('r', user(1).userId);
    const members = await presence.recentUsers('r', user(3), 3);
    expect(members.map((member) => member.userId)).toEqual([
      user(3).userId,
      user(1).userId,
      user(4).userId,
    ]);
  });
});
