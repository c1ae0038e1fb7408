import {
  PROTOCOL_BOUNDS,
  type AckData,
  type ChatMessage,
  type ServerFrame,
  type User,
} from '@duplex/protocol';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadIdentitySecret } from '../src/identity/identity-secret.js';
import { InProcessBroker } from '../src/broker/in-process-broker.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { loadConfig } from '../src/config/config.js';
import { SoloInstance } from '../src/instances/solo-instance.js';
import { createLogger } from '../src/logging/logger.js';
import { LocalPresence } from '../src/presence/local-presence.js';
import { RoomFanout } from '../src/rooms/room-fanout.js';
import { PresenceCoalescer } from '../src/rooms/presence-coalescer.js';
import { RoomRegistry } from '../src/rooms/room-registry.js';
import { RoomService } from '../src/rooms/room.service.js';
import type { SessionRegistry } from '../src/session/session-registry.js';
import type { Session } from '../src/session/session.js';
import type { MessageStore, RoomHistory } from '../src/storage/message-store.js';
import type { Connection } from '../src/ws/connection.js';

/** What one fake connection was sent, in order, decoded. */
class RecordingConnection {
  readonly frames: ServerFrame[] = [];
  readonly isOpen = true;

  sendEncoded(payload: Buffer): boolean {
    this.frames.push(JSON.parse(payload.toString('utf8')) as ServerFrame);
    return true;
  }

  send(frame: ServerFrame): void {
    this.frames.push(JSON.parse(JSON.stringify(frame)) as ServerFrame);
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** A store whose history reads answer when the test says so, one deferred per read. */
class ControlledStore {
  readonly reads: Deferred<RoomHistory>[] = [];

  history(): Promise<RoomHistory> {
    const read = deferred<RoomHistory>();
    this.reads.push(read);
    return read.promise;
  }
}

const ROOM = 'review';

function textMessage(seq: number): ChatMessage {
  return {
    room: ROOM,
    seq,
    clientId: `c-${seq}`,
    from: { userId: 'author', name: 'Author' },
    text: `message ${seq}`,
    ts: new Date(seq * 1000).toISOString(),
  };
}

function historyUpTo(lastSeq: number, from = 1): RoomHistory {
  const history: ChatMessage[] = [];
  for (let seq = from; seq <= lastSeq; seq++) history.push(textMessage(seq));
  return { history, lastSeq, recovered: false };
}

/** Rooms of one api instance, without sockets: the real registry, broker, coalescer and service. */
class RoomsHarness {
  readonly store = new ControlledStore();
  readonly registry = new RoomRegistry();
  readonly presenceStore = new LocalPresence();
  readonly fanout = new RoomFanout(
    loadConfig({}),
    createLogger('silent'),
    new InProcessBroker(),
    this.store as unknown as MessageStore,
    this.registry,
    new MetricsService(),
  );
  readonly presence = new PresenceCoalescer(this.fanout, this.presenceStore);
  private readonly endedListeners: ((session: Session) => void)[] = [];
  readonly service = new RoomService(
    this.registry,
    this.fanout,
    this.presenceStore,
    this.store as unknown as MessageStore,
    createLogger('silent'),
    new MetricsService(),
    {
      onEnded: (listener: (session: Session) => void) => {
        this.endedListeners.push(listener);
        return () => undefined;
      },
      onReleased: () => undefined,
      onAdopted: () => undefined,
      onRenamed: () => undefined,
      roomsChanged: () => undefined,
    } as unknown as SessionRegistry,
    new SoloInstance(),
  );
  private nextSession = 0;

  session(user: User, connection = new RecordingConnection()): Session {
    return {
      id: `session-${++this.nextSession}`,
      user,
      token: '',
      connection: connection as unknown as Connection,
      rooms: new Set(),
      graceTimer: null,
    };
  }

  /** Starts a join whose ack goes to the session's connection of the moment, with `id`. */
  join(session: Session, id: string, since?: number): Promise<void> {
    const connection = session.connection as unknown as RecordingConnection;
    return this.service.join(session, ROOM, since, (ack: AckData<'room.join'>) =>
      connection.send({ event: 'ack', id, data: ack }),
    );
  }

  /** The latest history read started, answered now. */
  answerRead(history: RoomHistory): void {
    this.store.reads.at(-1)!.resolve(history);
  }

  /** A stored chat message, broadcast as `ChatService` does. */
  broadcast(seq: number): void {
    this.fanout.publish(ROOM, { event: 'chat.message', data: textMessage(seq) });
  }

  /** The session's grace period is over. */
  end(session: Session): void {
    session.connection = null;
    for (const listener of this.endedListeners) listener(session);
  }
}

/** The frames a connection received, as `ack <id>` and `chat <seq>` (presence left out). */
function chatView(connection: RecordingConnection): string[] {
  return connection.frames.flatMap((frame) => {
    if (frame.event === 'ack') {
      const history = (frame.data as AckData<'room.join'>).history.map((m) => m.seq);
      return [`ack ${frame.id} [${history.join(',')}]`];
    }
    if (frame.event === 'chat.message') return [`chat ${frame.data.seq}`];
    return [];
  });
}

describe('a re-join of a session while its join is still reading history', () => {
  it('delivers each message once, none before the ack of the join that counts', async () => {
    const rooms = new RoomsHarness();
    const oldConnection = new RecordingConnection();
    const session = rooms.session({ userId: 'u-1', name: 'Ann' }, oldConnection);

    const firstJoin = rooms.join(session, 'j1');
    rooms.broadcast(11);
    // The connection dropped and the session was resumed on a new one, which joins again.
    const newConnection = new RecordingConnection();
    session.connection = newConnection as unknown as Connection;
    const secondJoin = rooms.join(session, 'j2', 10);
    const firstRead = rooms.store.reads[0]!;
    firstRead.resolve(historyUpTo(10));
    await firstJoin;
    rooms.broadcast(12);
    // The second read began after 11 and 12 were stored.
    rooms.answerRead({ ...historyUpTo(12, 11), recovered: true });
    await secondJoin;
    rooms.broadcast(13);

    expect(chatView(newConnection)).toEqual(['ack j2 [11,12]', 'chat 13']);
  });

  it('a failing first join leaves the membership to the join that came after it', async () => {
    const rooms = new RoomsHarness();
    const session = rooms.session({ userId: 'u-1', name: 'Ann' });

    const firstJoin = rooms.join(session, 'j1');
    const newConnection = new RecordingConnection();
    session.connection = newConnection as unknown as Connection;
    const secondJoin = rooms.join(session, 'j2');
    rooms.store.reads[0]!.reject(new Error('store unavailable'));
    await expect(firstJoin).rejects.toThrow('store unavailable');
    rooms.answerRead(historyUpTo(3));
    await secondJoin;
    rooms.broadcast(4);

    expect(rooms.registry.isMember(ROOM, session)).toBe(true);
    expect(chatView(newConnection)).toEqual(['ack j2 [1,2,3]', 'chat 4']);
  });

  it('a failing re-join after an earlier join completed goes on from that join', async () => {
    const rooms = new RoomsHarness();
    const session = rooms.session({ userId: 'u-1', name: 'Ann' });

    const firstJoin = rooms.join(session, 'j1');
    const newConnection = new RecordingConnection();
    session.connection = newConnection as unknown as Connection;
    const secondJoin = rooms.join(session, 'j2', 2);
    rooms.broadcast(3);
    rooms.store.reads[0]!.resolve(historyUpTo(2));
    await firstJoin;
    rooms.store.reads[1]!.reject(new Error('store unavailable'));
    await expect(secondJoin).rejects.toThrow('store unavailable');
    rooms.broadcast(4);

    expect(rooms.registry.isMember(ROOM, session)).toBe(true);
    expect(chatView(newConnection)).toEqual(['chat 3', 'chat 4']);
  });

  it('a re-join that fails after every earlier join failed too leaves the room', async () => {
    const rooms = new RoomsHarness();
    const session = rooms.session({ userId: 'u-1', name: 'Ann' });

    const firstJoin = rooms.join(session, 'j1');
    session.connection = new RecordingConnection() as unknown as Connection;
    const secondJoin = rooms.join(session, 'j2');
    rooms.store.reads[0]!.reject(new Error('store unavailable'));
    await expect(firstJoin).rejects.toThrow();
    rooms.store.reads[1]!.reject(new Error('store unavailable'));
    await expect(secondJoin).rejects.toThrow();

    expect(rooms.registry.isMember(ROOM, session)).toBe(false);
    expect(session.rooms.has(ROOM)).toBe(false);
  });
});

/**
 * A member's view of the room, built as a client builds it: the members of its join ack, then
 * every presence frame applied in order. Lists what a client could not make sense of.
 */
function presenceView(
  ack: AckData<'room.join'>,
  frames: readonly ServerFrame[],
): { members: Set<string>; online: number; problems: string[] } {
  const members = new Set(ack.members.map((user) => user.userId));
  let online = ack.online;
  const problems: string[] = [];
  const apply = (joined: readonly User[], left: readonly User[], count: number) => {
    for (const user of left) {
      if (!members.delete(user.userId)) problems.push(`${user.name} left without having joined`);
    }
    for (const user of joined) {
      if (members.has(user.userId)) problems.push(`${user.name} joined twice`);
      members.add(user.userId);
    }
    online = count;
    if (count !== members.size) problems.push(`online ${count} with ${members.size} members`);
  };
  for (const frame of frames) {
    if (frame.event === 'presence.joined') apply([frame.data.user], [], frame.data.online);
    if (frame.event === 'presence.left') apply([], [frame.data.user], frame.data.online);
    if (frame.event === 'presence.diff')
      apply(frame.data.joined, frame.data.left, frame.data.online);
  }
  return { members, online, problems };
}

describe('presence while a join reads its history', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A member that has joined (and gone live) before anything else happens. */
  async function observer(rooms: RoomsHarness) {
    const connection = new RecordingConnection();
    const session = rooms.session({ userId: 'observer', name: 'Obs' }, connection);
    const joined = rooms.join(session, 'obs');
    rooms.answerRead(historyUpTo(0));
    await joined;
    const ack = connection.frames[0]!.data as AckData<'room.join'>;
    return { view: () => presenceView(ack, connection.frames) };
  }

  /** Every coalescing window still open closes. */
  const windowsClose = () => vi.advanceTimersByTime(PROTOCOL_BOUNDS.presenceCoalesceMs * 3);

  it('a user whose session ends during its first join is never reported leaving without joining', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const rooms = new RoomsHarness();
    const obs = await observer(rooms);
    const ann = rooms.session({ userId: 'ann', name: 'Ann' });

    const join = rooms.join(ann, 'j');
    rooms.end(ann); // its grace period ran out while a slow store still read its history
    rooms.answerRead(historyUpTo(0));
    await join;
    windowsClose();

    const view = obs.view();
    expect(view.problems).toEqual([]);
    expect([...view.members]).toEqual(['observer']);
    expect(view.online).toBe(await rooms.presenceStore.online(ROOM));
  });

  it('online in every presence frame counts exactly the users the frames announced', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const rooms = new RoomsHarness();
    const obs = await observer(rooms);
    const ann = rooms.session({ userId: 'ann', name: 'Ann' });
    const bob = rooms.session({ userId: 'bob', name: 'Bob' });

    const annJoin = rooms.join(ann, 'a'); // a slow read
    // Another `since`, so a read of its own (joins asking alike share reads, one after another).
    const bobJoin = rooms.join(bob, 'b', 0);
    rooms.store.reads[2]!.resolve(historyUpTo(0));
    await bobJoin;
    rooms.store.reads[1]!.resolve(historyUpTo(0));
    await annJoin;
    windowsClose();

    const view = obs.view();
    expect(view.problems).toEqual([]);
    expect([...view.members].sort()).toEqual(['ann', 'bob', 'observer']);
    expect(view.online).toBe(3);
  });

  it('a user stays announced when its first session fails to join and its second one joined', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const rooms = new RoomsHarness();
    const obs = await observer(rooms);
    const annUser = { userId: 'ann', name: 'Ann' };
    const firstTab = rooms.session(annUser);
    const secondTab = rooms.session(annUser);

    const firstJoin = rooms.join(firstTab, 'first');
    // Another `since`, so a read of its own (joins asking alike share reads, one after another).
    const secondJoin = rooms.join(secondTab, 'second', 0);
    rooms.store.reads[2]!.resolve(historyUpTo(0));
    await secondJoin;
    rooms.store.reads[1]!.reject(new Error('store unavailable'));
    await expect(firstJoin).rejects.toThrow();
    windowsClose();

    expect(await rooms.presenceStore.online(ROOM)).toBe(2);
    const view = obs.view();
    expect(view.problems).toEqual([]);
    expect([...view.members].sort()).toEqual(['ann', 'observer']);
    expect(view.online).toBe(2);
  });

  it('a user whose only join fails is reported leaving after joining, or not at all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const rooms = new RoomsHarness();
    const obs = await observer(rooms);
    const ann = rooms.session({ userId: 'ann', name: 'Ann' });

    const join = rooms.join(ann, 'j');
    rooms.store.reads[1]!.reject(new Error('store unavailable'));
    await expect(join).rejects.toThrow();
    windowsClose();

    expect(await rooms.presenceStore.online(ROOM)).toBe(1);
    const view = obs.view();
    expect(view.problems).toEqual([]);
    expect([...view.members]).toEqual(['observer']);
    expect(view.online).toBe(1);
  });
});

describe('the identity secret kept in the data folder', () => {
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'duplex-identity-'));
    folders.push(dir);
    return dir;
  }

  it('a kept file without a usable secret (cut short by a crash) stops the start instead of signing with it', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'identity-secret'), '\n');

    await expect(loadIdentitySecret(undefined, dir)).rejects.toThrow(/no usable identity secret/);
  });

  it('instances starting together on one folder all sign with the one secret kept, never a half-written one', async () => {
    const dir = await dataDir();

    const secrets = await Promise.all(
      Array.from({ length: 24 }, () => loadIdentitySecret(undefined, dir)),
    );

    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    expect(new Set(secrets)).toEqual(new Set([secrets[0]]));
    expect(await loadIdentitySecret(undefined, dir)).toBe(secrets[0]);
    expect(await readdir(dir)).toEqual(['identity-secret']);
    expect((await stat(join(dir, 'identity-secret'))).mode & 0o777).toBe(0o600);
  });
});
