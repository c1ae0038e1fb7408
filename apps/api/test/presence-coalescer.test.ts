import { PROTOCOL_BOUNDS, type ServerFrame, type User } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceChange } from '../src/broker/broker.js';
import type { PresenceStore } from '../src/presence/presence-store.js';
import { PresenceCoalescer } from '../src/rooms/presence-coalescer.js';
import type { RoomFanout } from '../src/rooms/room-fanout.js';

const ROOM = 'coalesced';
const MAX = PROTOCOL_BOUNDS.presenceDiffMaxUsers;
const WINDOW_MS = PROTOCOL_BOUNDS.presenceCoalesceMs;

/** The coalescer between a presence store that reports what the test says and a recording fan-out. */
function harness(initialOnline = 1) {
  const sent: ServerFrame[] = [];
  /** Whose sessions each frame of `sent` left out (`exceptUserId`), by index. */
  const leftOut: (string | undefined)[] = [];
  let report: (room: string, change: PresenceChange) => void = () => undefined;
  const fanout = {
    publishHere: (_room: string, frame: ServerFrame, options?: { exceptUserId?: string }) => {
      sent.push(frame);
      leftOut.push(options?.exceptUserId);
    },
  };
  const store = { onChange: (listener: typeof report) => (report = listener) };
  const coalescer = new PresenceCoalescer(
    fanout as unknown as RoomFanout,
    store as unknown as PresenceStore,
  );
  let online = initialOnline; // others (an observer at least) are in the room throughout
  const change = (kind: PresenceChange['kind'], user: User) => {
    if (kind !== 'renamed') online += kind === 'joined' ? 1 : -1;
    report(ROOM, { kind, user, online });
  };
  return { sent, leftOut, change, coalescer };
}

const user = (i: number): User => ({ userId: `u-${i}`, name: `User ${i}` });
const users = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => user(from + i));

describe('PresenceCoalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the latest 20 joiners and leavers of a window and counts every one', () => {
    const { sent, change, coalescer } = harness();
    const joiners = users(1, 3 * MAX);
    change('joined', user(0)); // a quiet room: out at once, and a window opens
    for (const joiner of joiners) change('joined', joiner);
    vi.advanceTimersByTime(WINDOW_MS);
    const leavers = joiners.slice(0, 2 * MAX);
    for (const leaver of leavers) change('left', leaver);
    vi.advanceTimersByTime(WINDOW_MS);

    expect(sent.map((frame) => frame.event)).toEqual([
      'presence.joined',
      'presence.diff',
      'presence.diff',
    ]);
    expect(sent[1]!.data).toEqual({
      room: ROOM,
      joined: joiners.slice(-MAX),
      left: [],
      joinedCount: joiners.length,
      leftCount: 0,
      online: 2 + joiners.length,
    });
    expect(sent[2]!.data).toEqual({
      room: ROOM,
      joined: [],
      left: leavers.slice(-MAX),
      joinedCount: 0,
      leftCount: leavers.length,
      online: 2 + joiners.length - leavers.length,
    });
    coalescer.onModuleDestroy();
  });

  it('a rename goes out at once, opens no window, and reaches the renamed user too', () => {
    const { sent, leftOut, change, coalescer } = harness();
    const renamed = { ...user(1), name: 'Renamed' };
    change('joined', user(1)); // out at once; a window opens
    change('renamed', renamed); // while cooling: out at once all the same
    vi.advanceTimersByTime(WINDOW_MS); // the window closes with nothing collected
    change('renamed', { ...renamed, name: 'Renamed again' }); // quiet: out at once, no window
    change('joined', user(2)); // so this one is out at once too

    expect(sent.map((frame) => frame.event)).toEqual([
      'presence.joined',
      'presence.renamed',
      'presence.renamed',
      'presence.joined',
    ]);
    expect(sent[1]!.data).toEqual({ room: ROOM, user: renamed });
    expect(sent[2]!.data).toEqual({ room: ROOM, user: { ...renamed, name: 'Renamed again' } });
    // A join is not sent to the joiner's own sessions; a rename is, so its other tabs learn it.
    expect(leftOut).toEqual([user(1).userId, undefined, undefined, user(2).userId]);
    coalescer.onModuleDestroy();
  });

  it('a user renamed while its join is being collected is named in the diff under the new name', () => {
    const { sent, change, coalescer } = harness();
    change('joined', user(0)); // out at once; a window opens
    change('joined', user(1)); // collected
    change('joined', user(2)); // collected
    change('renamed', { ...user(1), name: 'Renamed' }); // in the diff, not a frame of its own
    vi.advanceTimersByTime(WINDOW_MS);

    expect(sent.map((frame) => frame.event)).toEqual(['presence.joined', 'presence.diff']);
    expect(sent[1]!.data).toMatchObject({
      joined: [{ ...user(1), name: 'Renamed' }, user(2)],
      joinedCount: 2,
    });
    coalescer.onModuleDestroy();
  });

  it('a user who left and came back within a window counts once, as the latest change', () => {
    const { sent, change, coalescer } = harness();
    const crowd = users(1, 2 * MAX);
    change('joined', user(0));
    vi.advanceTimersByTime(WINDOW_MS); // the first window closes with nothing collected
    change('joined', user(100)); // out at once again, a new window opens
    for (const member of crowd) change('joined', member);
    change('left', crowd[0]!); // joined and left within the window: neither list nor count
    change('joined', crowd[0]!); // and back: the latest change
    vi.advanceTimersByTime(WINDOW_MS);

    const diff = sent.at(-1)!.data as { joined: User[]; joinedCount: number; leftCount: number };
    expect(diff.joinedCount).toBe(crowd.length);
    expect(diff.leftCount).toBe(0);
    expect(diff.joined).toHaveLength(MAX);
    expect(diff.joined.at(-1)).toEqual(crowd[0]);
    expect(diff.joined.slice(0, -1)).toEqual(crowd.slice(-(MAX - 1)));
    coalescer.onModuleDestroy();
  });

  it('a window of no more than 20 changes names them all', () => {
    const { sent, change, coalescer } = harness();
    const few = users(1, MAX);
    change('joined', user(0));
    for (const member of few) change('joined', member);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(sent.at(-1)!.data).toMatchObject({ joined: few, joinedCount: MAX });
    coalescer.onModuleDestroy();
  });

  it.each([
    [1000, 200],
    [5000, 1000],
  ])('in a room of %i members the window after a frame is %i ms', (members, windowMs) => {
    const { sent, change, coalescer } = harness(members);
    change('joined', user(0)); // out at once: its window opens
    change('joined', user(1));
    vi.advanceTimersByTime(windowMs - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.data).toMatchObject({ joined: [user(1)], joinedCount: 1 });
    coalescer.onModuleDestroy();
  });

  it('a window closing with nothing collected lets the next change out at once', () => {
    const { sent, change, coalescer } = harness();
    change('joined', user(0));
    vi.advanceTimersByTime(WINDOW_MS);
    change('joined', user(1));
    expect(sent.map((frame) => frame.event)).toEqual(['presence.joined', 'presence.joined']);
    coalescer.onModuleDestroy();
  });
});
