import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { isTextMessage, type ChatMessage, type MembersPage, type User } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { RawData } from 'ws';
import { createLogger } from '../src/logging/logger.js';
import { openPgClient } from '../src/storage/pg-client.js';
import { migrate } from '../src/storage/schema.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';
import {
  startProcessCluster,
  type ApiProcess,
  type ProcessCluster,
  type ProcessEnv,
} from './support/api-process.js';
import { presenceChange, sleep, userIdsOf, type PresenceChange } from './support/chat-helpers.js';
import {
  POSTGRES_START_TIMEOUT_MS,
  skipPostgres,
  startLocalPostgres,
  type LocalPostgres,
} from './support/postgres-server.js';
import { RawClient, type HelloAck, type ServerFrame } from './support/raw-client.js';
import {
  REDIS_START_TIMEOUT_MS,
  skipRedis,
  startLocalRedis,
  type LocalRedis,
} from './support/redis-server.js';

/**
 * Failures of a scale-out: api instances as real processes (killed with SIGKILL), PostgreSQL
 * stopped, Redis restarted empty. Per observer (a member connected the whole time), counted
 * after a barrier message sent once everything else was acked (its arrival proves that every
 * earlier `seq` arrived, since a room's messages are delivered in `seq` order):
 * acked messages, lost (acked, never received), doubled (a `seq` or `clientId` twice), out of
 * order.
 */

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const sorted = (values: Iterable<string>) => [...values].sort();

/** What an observer received of its room, in arrival order. */
class RoomLog {
  readonly messages: { seq: number; clientId: string | undefined; message: ChatMessage }[] = [];
  readonly presence: { change: PresenceChange; at: number }[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    client: RawClient,
    readonly room: string,
  ) {
    client.socket.on('message', (raw: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const frame = JSON.parse(toBuffer(raw).toString('utf8')) as ServerFrame;
      if (frame.event === 'chat.message' && frame.data.room === room) {
        const message = frame.data as ChatMessage;
        this.messages.push({
          seq: message.seq,
          clientId: isTextMessage(message) ? message.clientId : undefined,
          message,
        });
      } else {
        const change = presenceChange(frame, room);
        if (!change) return;
        this.presence.push({ change, at: Date.now() });
      }
      for (const waiter of this.waiters) waiter();
    });
  }

  seqs(): number[] {
    return this.messages.map((entry) => entry.seq);
  }

  has(clientId: string): boolean {
    return this.messages.some((entry) => entry.clientId === clientId);
  }

  /** The first presence entry saying `userId` joined (or left), if any yet. */
  presenceOf(userId: string, kind: 'joined' | 'left') {
    return this.presence.find(({ change }) => change[kind].some((user) => user.userId === userId));
  }

  /** Resolves once `condition` holds (checked on every frame); rejects after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} in ${this.room} ` +
              `(received seqs ${JSON.stringify(this.seqs())}, presence ${JSON.stringify(
                this.presence.map(({ change }) => ({
                  joined: userIdsOf(change.joined),
                  left: userIdsOf(change.left),
                  online: change.online,
                })),
              )})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** How this observer fared against every acked message (clientId → seq). */
  tally(acked: ReadonlyMap<string, number>) {
    const seqs = new Set<number>();
    const clientIds = new Set<string>();
    let doubled = 0;
    let outOfOrder = 0;
    let last = 0;
    for (const { seq, clientId } of this.messages) {
      if (seqs.has(seq) || (clientId !== undefined && clientIds.has(clientId))) doubled++;
      else if (seq < last) outOfOrder++;
      seqs.add(seq);
      if (clientId !== undefined) clientIds.add(clientId);
      last = Math.max(last, seq);
    }
    const lost = [...acked.keys()].filter((clientId) => !clientIds.has(clientId)).length;
    return { acked: acked.size, lost, doubled, outOfOrder };
  }
}

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

/** A client that said hello, with the log of one room. */
interface Peer {
  readonly name: string;
  readonly instance: ApiProcess;
  readonly client: RawClient;
  readonly hello: HelloAck;
  readonly log: RoomLog;
}

type SendResult =
  | { kind: 'ack'; seq: number }
  | { kind: 'error'; code: string }
  | { kind: 'no-answer' }
  | { kind: 'closed' };

/** Acked sends of a test, clientId → seq; an ack that disagrees with an earlier one fails. */
class Acks {
  readonly bySeq = new Map<string, number>();

  record(clientId: string, seq: number): void {
    const earlier = this.bySeq.get(clientId);
    if (earlier !== undefined && earlier !== seq) {
      throw new Error(`${clientId} acked with seq ${earlier}, then with seq ${seq}`);
    }
    this.bySeq.set(clientId, seq);
  }

  get size(): number {
    return this.bySeq.size;
  }

  get maxSeq(): number {
    return Math.max(0, ...this.bySeq.values());
  }
}

const text = (clientId: string) => `message ${clientId}`;

/** One `chat.send`: its reply, no reply within `timeoutMs`, or the connection closing first. */
async function sendOnce(
  client: RawClient,
  room: string,
  clientId: string,
  timeoutMs = 5_000,
): Promise<SendResult> {
  if (!client.isOpen) return { kind: 'closed' };
  const id = `send-${randomUUID()}`;
  client.send({ event: 'chat.send', data: { room, clientId, text: text(clientId) }, id });
  const reply = client
    .nextWhere((frame) => frame.id === id, timeoutMs, `the reply to ${id}`)
    .then(
      (frame): SendResult =>
        frame.event === 'ack'
          ? { kind: 'ack', seq: frame.data.seq as number }
          : { kind: 'error', code: String(frame.data.code) },
      (): SendResult => ({ kind: 'no-answer' }),
    );
  const closed = client.closed.then((): SendResult => ({ kind: 'closed' }));
  return Promise.race([reply, closed]);
}

/**
 * Sends until acked, the same clientId each time (a client's outbox); an error or no answer is
 * retried. Fails when the connection closes or nothing is acked within `withinMs`.
 */
async function sendUntilAcked(
  peer: Peer,
  clientId: string,
  acks: Acks,
  withinMs = 30_000,
): Promise<{ attempts: number }> {
  const deadline = Date.now() + withinMs;
  const seen: string[] = [];
  for (let attempts = 1; ; attempts++) {
    const result = await sendOnce(peer.client, peer.log.room, clientId, 3_000);
    if (result.kind === 'ack') {
      acks.record(clientId, result.seq);
      return { attempts };
    }
    seen.push(result.kind === 'error' ? result.code : result.kind);
    if (result.kind === 'closed' || Date.now() > deadline) {
      throw new Error(`${peer.name}: ${clientId} not acked (${seen.join(', ')})`);
    }
    await sleep(200);
  }
}

/** Every stored message of `room`, paged forward with `after` through `instance`. */
async function storedMessages(instance: ApiProcess, room: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (let after = 0; ;) {
    const response = await fetch(
      instance.httpUrl(`/api/rooms/${room}/messages?after=${after}&limit=200`),
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as ChatMessage[];
    all.push(...page);
    if (page.length < 200) return all;
    after = page.at(-1)!.seq;
  }
}

/** Stored seqs are 1..N without a gap, each acked clientId stored once under its acked seq. */
async function expectStoredExactly(instance: ApiProcess, room: string, acks: Acks) {
  const stored = await storedMessages(instance, room);
  expect(stored.map((message) => message.seq)).toEqual(range(1, stored.length));
  const storedSeqs = new Map(
    stored.filter(isTextMessage).map((message) => [message.clientId, message.seq]),
  );
  expect(stored.filter(isTextMessage)).toHaveLength(stored.length);
  expect(storedSeqs.size).toBe(stored.length);
  expect(storedSeqs).toEqual(acks.bySeq);
  return stored;
}

async function membersOf(instance: ApiProcess, room: string): Promise<MembersPage> {
  const response = await fetch(instance.httpUrl(`/api/rooms/${room}/members?limit=500`));
  expect(response.status).toBe(200);
  return (await response.json()) as MembersPage;
}

async function httpStatus(instance: ApiProcess, path: string): Promise<number> {
  const response = await fetch(instance.httpUrl(path), { signal: AbortSignal.timeout(3_000) });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Every observer received exactly the room's messages 1..N, each once and in order, N being the
 * barrier's seq: nothing acked lost, nothing doubled.
 */
function expectEveryObserverGotAll(observers: readonly Peer[], acks: Acks, expectedAcked: number) {
  for (const observer of observers) {
    const counts = observer.log.tally(acks.bySeq);
    expect(counts, `${observer.name} on ${observer.instance.name}`).toEqual({
      acked: expectedAcked,
      lost: 0,
      doubled: 0,
      outOfOrder: 0,
    });
    expect(observer.log.seqs(), `${observer.name}: seqs received`).toEqual(range(1, acks.maxSeq));
  }
  expect(expectedAcked).toBeGreaterThan(0);
}

describe.skipIf(skipPostgres || skipRedis)('api instances as processes, under failures', () => {
  let postgres: LocalPostgres;
  let redis: LocalRedis;
  let cluster: ProcessCluster | undefined;
  const clients: RawClient[] = [];

  beforeAll(
    async () => {
      [postgres, redis] = await Promise.all([startLocalPostgres(), startLocalRedis()]);
    },
    Math.max(POSTGRES_START_TIMEOUT_MS, REDIS_START_TIMEOUT_MS),
  );
  afterAll(async () => {
    await Promise.all([postgres?.remove(), redis?.remove()]);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    const running = cluster;
    cluster = undefined;
    await running?.stopAll();
  });

  /** A cluster for this test; on failure, the instances' output goes to stderr. */
  async function startCluster(count: number, env: ProcessEnv = {}): Promise<ProcessCluster> {
    const started = await startProcessCluster({ count, postgres, redis, env });
    cluster = started;
    onTestFailed(() => {
      for (const instance of started.instances) {
        console.error(instance.output().slice(-8_000));
      }
    });
    return started;
  }

  async function connect(
    instance: ApiProcess,
    name: string,
    room: string,
    hello: Record<string, unknown> = {},
  ): Promise<Peer> {
    const client = await RawClient.connect(instance.wsUrl());
    clients.push(client);
    const log = new RoomLog(client, room);
    return { name, instance, client, log, hello: await client.hello(name, hello) };
  }

  async function join(peer: Peer, since?: number): Promise<ServerFrame['data']> {
    const reply = await peer.client.request(
      'room.join',
      { room: peer.log.room, ...(since !== undefined && { since }) },
      10_000,
    );
    expect(reply.event, `${peer.name} joins: ${JSON.stringify(reply)}`).toBe('ack');
    return reply.data;
  }

  async function joined(
    instance: ApiProcess,
    name: string,
    room: string,
    hello: Record<string, unknown> = {},
  ): Promise<Peer> {
    const peer = await connect(instance, name, room, hello);
    await join(peer);
    return peer;
  }

  /** Sends `barrier`, the test's last message, until acked; every observer must receive it. */
  async function barrier(sender: Peer, observers: readonly Peer[], acks: Acks): Promise<void> {
    await sendUntilAcked(sender, 'barrier', acks);
    for (const observer of observers) {
      await observer.log.until(
        () => observer.log.has('barrier'),
        15_000,
        `the barrier at ${observer.name}`,
      );
    }
  }

  it('kill -9 of an instance while its clients send: they resume elsewhere and re-send, and nothing acked is lost or doubled', async () => {
    const room = 'kill-while-sending';
    const perSender = 60;
    const window = 4;
    const { instances } = await startCluster(3, { INSTANCE_LEASE_MS: 4_000 });
    const [doomed, second, third] = instances as [ApiProcess, ApiProcess, ApiProcess];
    const survivors = [second, third];

    const observers = [
      await joined(second, 'Observer 1', room),
      await joined(third, 'Observer 2', room),
    ];
    // Only on the doomed instance, and does not come back: its leaving is the presence barrier.
    const bystander = await joined(doomed, 'Bystander', room);
    const senders = await Promise.all([
      ...range(0, 2).map((i) => joined(doomed, `Doomed sender ${i}`, room)),
      joined(second, 'Sender 1', room),
      joined(third, 'Sender 2', room),
    ]);
    const acks = new Acks();
    const resumed: string[] = [];
    let ackedOnDoomed = 0;

    /** The client of a connection that died: resume on a survivor, re-join, go on. */
    const resumeElsewhere = async (peer: Peer): Promise<Peer> => {
      const target = survivors[resumed.length % survivors.length]!;
      resumed.push(peer.name);
      const next = await connect(target, peer.name, room, { resume: peer.hello.resume });
      expect(next.hello).toMatchObject({ userId: peer.hello.userId, resumed: true, rooms: [room] });
      await join(next, Math.max(0, ...peer.log.seqs()));
      return next;
    };

    /** Sends its messages a window at a time; what a dead connection left unacked goes again. */
    const run = async (first: Peer) => {
      let peer = first;
      const ids = range(1, perSender).map((i) => `${first.name.replaceAll(' ', '-')}-${i}`);
      for (let start = 0; start < ids.length; start += window) {
        let pending = ids.slice(start, start + window);
        while (pending.length > 0) {
          const current = peer;
          const results = await Promise.all(
            pending.map((clientId) => sendOnce(current.client, room, clientId, 10_000)),
          );
          const unacked: string[] = [];
          results.forEach((result, k) => {
            if (result.kind === 'ack') {
              acks.record(pending[k]!, result.seq);
              if (current.instance === doomed) ackedOnDoomed++;
            } else if (result.kind === 'error') {
              throw new Error(`${current.name}: ${pending[k]} failed with ${result.code}`);
            } else unacked.push(pending[k]!);
          });
          if (unacked.length > 0 && !current.client.isOpen) peer = await resumeElsewhere(current);
          pending = unacked;
        }
      }
    };

    const sending = Promise.all(senders.map(run));
    let sendFailure: unknown;
    sending.catch((error: unknown) => {
      sendFailure = error;
    });
    const deadline = Date.now() + 10_000;
    while (ackedOnDoomed < 30) {
      if (sendFailure !== undefined) throw sendFailure;
      if (Date.now() > deadline) throw new Error('the doomed instance acked too few sends');
      await sleep(2);
    }
    await doomed.kill9();
    await sending;
    expect(sorted(resumed)).toEqual(sorted(senders.slice(0, 3).map((sender) => sender.name)));

    await barrier(senders[3]!, observers, acks);
    expectEveryObserverGotAll(observers, acks, senders.length * perSender + 1);
    const stored = await expectStoredExactly(second, room, acks);
    expect(stored).toHaveLength(senders.length * perSender + 1);

    // The resumed senders never left: the bystander's leaving (the dead instance's clean-up)
    // comes after anything that would have said so.
    for (const observer of observers) {
      await observer.log.until(
        () => observer.log.presenceOf(bystander.hello.userId, 'left') !== undefined,
        15_000,
        'the bystander leaving',
      );
      const upTo = observer.log.presence.indexOf(
        observer.log.presenceOf(bystander.hello.userId, 'left')!,
      );
      const leftBefore = observer.log.presence
        .slice(0, upTo + 1)
        .flatMap(({ change }) => userIdsOf(change.left));
      expect(leftBefore, `${observer.name}: who left`).toEqual([bystander.hello.userId]);
    }
  }, 90_000);

  describe('kill -9 between commit and publish (a message stored and never published)', () => {
    /** Stores a message the way an instance does, without publishing it. */
    async function storeWithoutPublishing(
      databaseUrl: string,
      room: string,
      clientId: string,
      from: User,
    ): Promise<ChatMessage> {
      const sql = openPgClient(databaseUrl, createLogger('silent'));
      try {
        await migrate(sql);
        const store = new SqlMessageStore(sql);
        const [stored] = await store.appendBatch(room, [
          { room, clientId, from, text: text(clientId), ts: new Date().toISOString() },
        ]);
        expect(stored!.duplicate).toBe(false);
        return stored!.message;
      } finally {
        await sql.close();
      }
    }

    it('the next message sent through an instance reveals the gap: every member gets the missing one first, in order, once', async () => {
      const room = 'commit-no-publish';
      // No silent-room check in this test: only the next message can reveal the gap.
      const { instances, databaseUrl } = await startCluster(3, {
        GAP_CHECK_INTERVAL_MS: 3_600_000,
      });
      const members = await Promise.all(
        instances.map((instance, i) => joined(instance, `Member ${i}`, room)),
      );
      const [ann, bob] = members as [Peer, Peer, Peer];
      const acks = new Acks();
      await sendUntilAcked(ann, 'first', acks);
      for (const member of members) {
        await member.log.until(() => member.log.has('first'), 10_000, 'the first message');
      }

      const ghost = await storeWithoutPublishing(databaseUrl, room, 'ghost', ann.hello);
      expect(ghost.seq).toBe(2);
      acks.record('ghost', ghost.seq);

      await sendUntilAcked(bob, 'next', acks);
      expect(acks.bySeq.get('next')).toBe(3);
      for (const member of members) {
        await member.log.until(() => member.log.has('next'), 10_000, 'the next message');
        expect(member.log.seqs(), member.name).toEqual([1, 2, 3]);
        expect(member.log.messages[1]!.message, member.name).toEqual(ghost);
      }

      await barrier(ann, members, acks);
      expectEveryObserverGotAll(members, acks, 4);
      await expectStoredExactly(instances[2]!, room, acks);
    }, 60_000);

    it('in a silent room, every member gets it within GAP_CHECK_INTERVAL_MS', async () => {
      const room = 'commit-no-publish-silent';
      const { instances, databaseUrl } = await startCluster(3, { GAP_CHECK_INTERVAL_MS: 500 });
      const members = await Promise.all(
        instances.map((instance, i) => joined(instance, `Member ${i}`, room)),
      );
      const acks = new Acks();
      await sendUntilAcked(members[0]!, 'first', acks);
      for (const member of members) {
        await member.log.until(() => member.log.has('first'), 10_000, 'the first message');
      }

      const ghost = await storeWithoutPublishing(databaseUrl, room, 'ghost', members[1]!.hello);
      expect(ghost.seq).toBe(2);
      acks.record('ghost', ghost.seq);
      // Nobody sends: the periodic check against the store is all that can bring it.
      for (const member of members) {
        await member.log.until(() => member.log.has('ghost'), 15_000, 'the unpublished message');
        expect(member.log.messages.at(-1)!.message, member.name).toEqual(ghost);
      }

      await barrier(members[2]!, members, acks);
      expectEveryObserverGotAll(members, acks, 3);
      await expectStoredExactly(instances[0]!, room, acks);
    }, 60_000);
  });

  it('three instances × 100 concurrent sends into one room: seq 1..N gap-free, every member on every instance gets 1..N in order, once', async () => {
    const room = 'three-at-once';
    const perInstance = 100;
    const { instances } = await startCluster(3);
    const senders = await Promise.all(
      instances.map((instance, i) => joined(instance, `Sender ${i}`, room)),
    );
    const observers = await Promise.all(
      instances.map((instance, i) => joined(instance, `Observer ${i}`, room)),
    );
    const acks = new Acks();
    await Promise.all(
      senders.flatMap((sender, s) =>
        range(1, perInstance).map((i) => sendUntilAcked(sender, `s${s}-${i}`, acks)),
      ),
    );
    expect(acks.size).toBe(instances.length * perInstance);
    expect([...acks.bySeq.values()].sort((a, b) => a - b)).toEqual(range(1, acks.size));

    const members = [...senders, ...observers];
    await barrier(senders[0]!, members, acks);
    const total = instances.length * perInstance + 1;
    expectEveryObserverGotAll(members, acks, total);
    await expectStoredExactly(instances[1]!, room, acks);
  }, 60_000);

  it('presence after kill -9 converges within 15 s with the default INSTANCE_LEASE_MS', async () => {
    const room = 'presence-after-kill';
    const { instances } = await startCluster(3);
    const [doomed, second, third] = instances as [ApiProcess, ApiProcess, ApiProcess];
    const observer = await joined(second, 'Observer', room);
    const stayer = await joined(third, 'Stayer', room);
    const goners = [await joined(doomed, 'Goner 1', room), await joined(doomed, 'Goner 2', room)];
    // One user with a session on the doomed instance and one on another: stays a member.
    const twoTabs = await joined(doomed, 'Two tabs', room);
    await joined(third, 'Two tabs', room, { identity: twoTabs.hello.identity });
    const everyone = [observer, stayer, ...goners, twoTabs];
    for (const peer of everyone.slice(1)) {
      await observer.log.until(
        () => observer.log.presenceOf(peer.hello.userId, 'joined') !== undefined,
        10_000,
        `${peer.name} joining`,
      );
    }
    expect((await membersOf(second, room)).online).toBe(everyone.length);

    const killedAt = Date.now();
    await doomed.kill9();

    const gonerIds = goners.map((goner) => goner.hello.userId);
    await observer.log.until(
      () => gonerIds.every((userId) => observer.log.presenceOf(userId, 'left') !== undefined),
      20_000,
      'the users of the dead instance leaving',
    );
    const leftSeenAt = Math.max(
      ...gonerIds.map((userId) => observer.log.presenceOf(userId, 'left')!.at),
    );
    expect(leftSeenAt - killedAt).toBeLessThanOrEqual(15_000);

    const remaining = sorted([observer, stayer, twoTabs].map((peer) => peer.hello.userId));
    for (;;) {
      const pages = await Promise.all([second, third].map((instance) => membersOf(instance, room)));
      const counts = pages.map((page) => ({
        online: page.online,
        members: sorted(userIdsOf(page.members)),
      }));
      if (
        counts.every((count) =>
          isDeepStrictEqual(count, { online: remaining.length, members: remaining }),
        )
      ) {
        break;
      }
      if (Date.now() - killedAt > 15_000) {
        throw new Error(`members 15 s after the kill: ${JSON.stringify(counts)}`);
      }
      await sleep(100);
    }
    expect(Date.now() - killedAt).toBeLessThanOrEqual(15_000);
    // The count the observer was last told, with the goners' leaving.
    const lastLeft = Math.max(
      ...gonerIds.map((userId) =>
        observer.log.presence.indexOf(observer.log.presenceOf(userId, 'left')!),
      ),
    );
    expect(observer.log.presence[lastLeft]!.change.online).toBe(remaining.length);

    // A new join counts the right users, and its announcement is the barrier for what the
    // observer was told before it: the two goners left, once each, and nobody else did.
    const probe = await connect(third, 'Probe', room);
    const ack = await join(probe);
    expect(ack.online).toBe(remaining.length + 1);
    expect(sorted(userIdsOf(ack.members))).toEqual(sorted([...remaining, probe.hello.userId]));
    await observer.log.until(
      () => observer.log.presenceOf(probe.hello.userId, 'joined') !== undefined,
      10_000,
      'the probe joining',
    );
    const upTo = observer.log.presence.indexOf(
      observer.log.presenceOf(probe.hello.userId, 'joined')!,
    );
    const left = observer.log.presence
      .slice(0, upTo + 1)
      .flatMap(({ change }) => userIdsOf(change.left));
    expect(sorted(left)).toEqual(sorted(gonerIds));
  }, 60_000);

  it('Redis restarted empty: nothing acked is lost and presence is rebuilt within 2 leases', async () => {
    const room = 'redis-restart';
    const leaseMs = 2_000;
    // Two leases, and a second for the Redis client's reconnection back-off.
    const rebuildWithinMs = 2 * leaseMs + 1_000;
    const { instances } = await startCluster(3, { INSTANCE_LEASE_MS: leaseMs });
    const senders = await Promise.all(
      instances.map((instance, i) => joined(instance, `Sender ${i}`, room)),
    );
    const observers = await Promise.all(
      instances.map((instance, i) => joined(instance, `Observer ${i}`, room)),
    );
    const connected = [...senders, ...observers].map((peer) => peer.hello.userId);
    const acks = new Acks();

    for (const [s, sender] of senders.entries()) {
      for (const i of range(1, 10)) await sendUntilAcked(sender, `before-${s}-${i}`, acks);
    }

    // Each sender sends one message after another, each until acked, across the restart.
    let sendingDuring = true;
    const sentDuring = senders.map(async (sender, s) => {
      let count = 0;
      while (sendingDuring) await sendUntilAcked(sender, `during-${s}-${++count}`, acks);
      return count;
    });
    await sleep(300);
    await redis.restartEmpty();
    const restartedAt = Date.now();

    // Presence, rebuilt: every connected user counted again on every instance, and in the ack of
    // a new join on each (whose user is connected, and a member, from then on). Checked while
    // the sends go on.
    const sending = Promise.all(sentDuring);
    sending.catch(() => undefined);
    const probes: Peer[] = [];
    const memberIds = () => sorted([...connected, ...probes.map((probe) => probe.hello.userId)]);
    /** What is still wrong, or null. */
    const presenceProblem = async (): Promise<string | null> => {
      for (const instance of instances) {
        const probe = await connect(instance, `Probe ${probes.length}`, room);
        const ack = await join(probe);
        probes.push(probe);
        const got = { online: ack.online, members: sorted(userIdsOf(ack.members)) };
        if (!isDeepStrictEqual(got, { online: memberIds().length, members: memberIds() })) {
          return `a join ack on ${instance.name} counts ${got.online} of ${memberIds().length}`;
        }
      }
      for (const instance of instances) {
        const page = await membersOf(instance, room);
        const got = { online: page.online, members: sorted(userIdsOf(page.members)) };
        if (!isDeepStrictEqual(got, { online: memberIds().length, members: memberIds() })) {
          return `the members of ${instance.name} count ${got.online} of ${memberIds().length}`;
        }
      }
      return null;
    };
    try {
      for (;;) {
        const problem = await presenceProblem();
        if (problem === null) break;
        if (Date.now() - restartedAt > rebuildWithinMs) {
          throw new Error(
            `presence not rebuilt ${rebuildWithinMs} ms after the restart: ${problem}`,
          );
        }
        await sleep(250);
      }
      expect(Date.now() - restartedAt).toBeLessThanOrEqual(rebuildWithinMs);
    } finally {
      sendingDuring = false;
    }
    const duringCounts = await sending;
    for (const [s, sender] of senders.entries()) {
      for (const i of range(1, 10)) await sendUntilAcked(sender, `after-${s}-${i}`, acks);
    }
    const total = 2 * 10 * senders.length + duringCounts.reduce((sum, n) => sum + n, 0) + 1;

    // The last probe's join is announced to the observers on every instance: presence crosses
    // instances again.
    const lastProbe = probes.at(-1)!;
    for (const observer of observers) {
      await observer.log.until(
        () => observer.log.presenceOf(lastProbe.hello.userId, 'joined') !== undefined,
        10_000,
        `${lastProbe.name} joining`,
      );
    }

    await barrier(senders[1]!, observers, acks);
    expectEveryObserverGotAll(observers, acks, total);
    await expectStoredExactly(instances[2]!, room, acks);
  }, 90_000);

  it('PostgreSQL stopped for 10 s: no send acked meanwhile, /ready 503 and /health 200 on every instance, then sends succeed and nothing acked is lost', async () => {
    const room = 'postgres-outage';
    const outageMs = 10_000;
    const { instances } = await startCluster(3);
    const members = await Promise.all(
      instances.map((instance, i) => joined(instance, `Member ${i}`, room)),
    );
    const acks = new Acks();
    for (const [m, member] of members.entries()) {
      for (const i of range(1, 5)) await sendUntilAcked(member, `before-${m}-${i}`, acks);
    }
    for (const instance of instances) expect(await httpStatus(instance, '/ready')).toBe(200);

    await postgres.stop();
    let outcomes: SendResult['kind'][] = [];
    try {
      const stoppedAt = Date.now();
      for (const instance of instances) {
        while ((await httpStatus(instance, '/ready')) !== 503) {
          if (Date.now() - stoppedAt > 5_000) throw new Error(`${instance.name} still ready`);
          await sleep(100);
        }
      }
      while (Date.now() - stoppedAt < outageMs) {
        for (const instance of instances) {
          expect(await httpStatus(instance, '/ready'), instance.name).toBe(503);
          expect(await httpStatus(instance, '/health'), instance.name).toBe(200);
        }
        // The same clientIds each time, as a client's outbox retries them.
        const results = await Promise.all(
          members.flatMap((member, m) =>
            range(1, 2).map((i) => sendOnce(member.client, room, `during-${m}-${i}`, 3_000)),
          ),
        );
        outcomes = [...outcomes, ...results.map((result) => result.kind)];
        await sleep(500);
      }
    } finally {
      await postgres.start();
    }
    expect(outcomes.filter((kind) => kind === 'ack')).toEqual([]);
    expect(outcomes.filter((kind) => kind === 'closed')).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(members.length * 2 * 2);

    for (const instance of instances) {
      const deadline = Date.now() + 15_000;
      while ((await httpStatus(instance, '/ready')) !== 200) {
        if (Date.now() > deadline) throw new Error(`${instance.name} not ready again`);
        await sleep(100);
      }
      expect(await httpStatus(instance, '/health')).toBe(200);
    }
    for (const [m, member] of members.entries()) {
      for (const i of range(1, 2)) await sendUntilAcked(member, `during-${m}-${i}`, acks);
      for (const i of range(1, 5)) await sendUntilAcked(member, `after-${m}-${i}`, acks);
    }

    await barrier(members[0]!, members, acks);
    expectEveryObserverGotAll(members, acks, members.length * (5 + 2 + 5) + 1);
    await expectStoredExactly(instances[1]!, room, acks);
  }, 120_000);
});
