import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  joinAs,
  joinWith,
  nextChatMessage,
  say,
  sleep,
  uniqueRoom,
} from './support/chat-helpers.js';
import { keptDataDir } from './support/data-dir.js';
import { expectError, RawClient, type HelloAck } from './support/raw-client.js';

const RESUME_GRACE_MS = 300;
let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ RESUME_GRACE_MS });
});
afterAll(() => server?.stop());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(target: TestServer = server): Promise<RawClient> {
  const client = await RawClient.connect(target.wsUrl());
  clients.push(client);
  return client;
}

async function helloOn(
  target: TestServer,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<HelloAck> {
  return (await connect(target)).hello(name, extra);
}

/** Closes a session's connection and waits until its grace period has passed (a timed rule). */
async function endSession(client: RawClient, ack: HelloAck): Promise<void> {
  await client.close();
  await sleep(RESUME_GRACE_MS + 200);
  // The session is really gone: its token no longer resumes.
  const probe = await connect();
  expectError(
    await probe.request('hello', { protocol: 1, name: 'x', resume: ack.resume }),
    'resume_expired',
  );
}

/** `value` with the character at `index` replaced by another one of the same kind. */
function withCharacterChanged(value: string, index: number): string {
  const at = (index + value.length) % value.length;
  const replacement = value[at] === 'A' ? 'B' : 'A';
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

describe('identity', () => {
  it('is in every hello ack, and makes the same user again once the first session has ended', async () => {
    const first = await connect();
    const ann = await first.hello('Ann');
    expect(typeof ann.identity).toBe('string');
    expect([...ann.identity].length).toBeLessThanOrEqual(PROTOCOL_BOUNDS.identityMaxChars);
    await endSession(first, ann);

    const again = await helloOn(server, 'Ann', { identity: ann.identity });
    expect(again.userId).toBe(ann.userId);
    expect(again.name).toBe('Ann');
    expect(again.resumed).toBe(false);
    expect(again.rooms).toEqual([]);
    expect(again.resume).not.toBe(ann.resume);
    // The identity of the new ack stands for the same user too.
    const third = await helloOn(server, 'Ann', { identity: again.identity });
    expect(third.userId).toBe(ann.userId);
  });

  it('presented while the first session is open, it opens a second session of the same user; neither is taken over', async () => {
    const tab1 = await connect();
    const first = await tab1.hello('Bea');
    const tab2 = await connect();
    const second = await tab2.hello('Bea', { identity: first.identity });
    expect(second.userId).toBe(first.userId);
    expect(second.resumed).toBe(false);
    expect(second.resume).not.toBe(first.resume);
    await tab1.expectUsable();
    await tab2.expectUsable();

    // Each session keeps its own token: both resume, each its own session.
    await tab1.close();
    const back1 = await helloOn(server, 'ignored', { resume: first.resume });
    expect(back1).toMatchObject({ userId: first.userId, resumed: true });
    await tab2.expectUsable();
    await tab2.close();
    const back2 = await helloOn(server, 'ignored', { resume: second.resume });
    expect(back2).toMatchObject({ userId: first.userId, resumed: true });
  });

  describe('not valid → a new user with a new identity, never an error', () => {
    let ann: HelloAck;
    let bob: HelloAck;
    beforeAll(async () => {
      ann = await helloOn(server, 'Ann');
      bob = await helloOn(server, 'Bob');
    });

    const cases: [string, () => unknown][] = [
      [
        "the userId in it replaced by another user's",
        () => {
          const forged = ann.identity.replace(ann.userId, bob.userId);
          expect(forged).not.toBe(ann.identity);
          return forged;
        },
      ],
      ['its last character changed', () => withCharacterChanged(ann.identity, -1)],
      ['its first character changed', () => withCharacterChanged(ann.identity, 0)],
      ['a character appended', () => `${ann.identity}A`],
      ['garbage', () => 'not-an-identity'],
      ['empty', () => ''],
      ['513 characters starting with a valid identity', () => ann.identity.padEnd(513, 'A')],
      ['512 characters of garbage', () => 'g'.repeat(PROTOCOL_BOUNDS.identityMaxChars)],
      ['a number', () => 42],
      ['null', () => null],
      ['true', () => true],
      ['an object', () => ({ userId: ann.userId })],
      ['an array', () => [ann.identity]],
    ];

    it.each(cases)('%s', async (_, presented) => {
      const identity = presented();
      const client = await connect();
      const reply = await client.helloFrame('Newcomer', { identity });
      expect(reply.event, JSON.stringify(reply)).toBe('ack');
      const ack = reply.data as HelloAck;
      expect(ack.userId).not.toBe(ann.userId);
      expect(ack.userId).not.toBe(bob.userId);
      expect(ack.identity).not.toBe(identity);
      expect(ack.identity).not.toBe(ann.identity);
      expect(ack.resumed).toBe(false);
      await client.expectUsable();
      // The new identity is valid: it makes the new user again.
      expect((await helloOn(server, 'Newcomer', { identity: ack.identity })).userId).toBe(
        ack.userId,
      );
    });
  });

  it('with resume and the identity of another user, the token decides', async () => {
    const annClient = await connect();
    const ann = await annClient.hello('Ann');
    const bob = await helloOn(server, 'Bob');
    await annClient.close();
    const resumed = await helloOn(server, 'Bob', { resume: ann.resume, identity: bob.identity });
    expect(resumed).toMatchObject({ userId: ann.userId, name: 'Ann', resumed: true });
  });

  it('with an expired token and a valid identity: resume_expired, then the identity alone is the same user', async () => {
    const annClient = await connect();
    const ann = await annClient.hello('Ann');
    await endSession(annClient, ann);
    const client = await connect();
    const reply = await client.request('hello', {
      protocol: 1,
      name: 'Ann',
      resume: ann.resume,
      identity: ann.identity,
    });
    expectError(reply, 'resume_expired', { id: reply.id });
    const fresh = await client.hello('Ann', { identity: ann.identity });
    expect(fresh).toMatchObject({ userId: ann.userId, resumed: false, rooms: [] });
  });
});

describe("the user's name", () => {
  it('is the name of the latest hello without resume: a second tab with a new name renames the user', async () => {
    const room = uniqueRoom('name');
    const tab1 = await joinAs(server, 'Ann', room);
    const observer = await joinAs(server, 'Obs', room);
    clients.push(tab1.client, observer.client);
    const tab2 = await joinWith(server, 'Annie', room, { identity: tab1.user.identity });
    clients.push(tab2.client);
    expect(tab2.user).toMatchObject({ userId: tab1.user.userId, name: 'Annie' });

    // A message sent afterwards from the first tab carries the new name.
    await say(tab1, room, 'from the first tab');
    const seen = await nextChatMessage(observer.client);
    expect(seen.data.from).toEqual({ userId: tab1.user.userId, name: 'Annie' });
    // So does the member list of a later joiner.
    const later = await joinAs(server, 'Later', room);
    clients.push(later.client);
    expect(later.join.members).toContainEqual({ userId: tab1.user.userId, name: 'Annie' });
    expect(later.join.members).not.toContainEqual({ userId: tab1.user.userId, name: 'Ann' });
  });

  it("a resume's name is ignored: the resumed session has the user's latest name", async () => {
    const room = uniqueRoom('name');
    const tab1 = await joinAs(server, 'Ann', room);
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    await tab1.client.close();
    const tab2 = await connect();
    await tab2.hello('Annie', { identity: tab1.user.identity });

    const back = await connect();
    const resumed = await back.hello('Zed', { resume: tab1.user.resume });
    expect(resumed).toMatchObject({ userId: tab1.user.userId, name: 'Annie', resumed: true });
    await say({ ...tab1, client: back }, room, 'resumed');
    expect((await nextChatMessage(observer.client)).data.from.name).toBe('Annie');
  });

  it('a failed hello does not rename the user', async () => {
    const room = uniqueRoom('name');
    const tab1 = await joinAs(server, 'Ann', room);
    const observer = await joinAs(server, 'Obs', room);
    clients.push(tab1.client, observer.client);
    const tab2 = await connect();
    const reply = await tab2.request('hello', {
      protocol: 1,
      name: 'A\u0007nn',
      identity: tab1.user.identity,
    });
    expectError(reply, 'bad_message', { fields: ['name'] });
    await say(tab1, room, 'still Ann');
    expect((await nextChatMessage(observer.client)).data.from.name).toBe('Ann');
  });
});

describe('identities across api processes', () => {
  it('survive a restart on the same DATA_DIR without IDENTITY_SECRET (the secret is kept there); sessions do not', async () => {
    const dataDir = await keptDataDir();
    try {
      const before = await startServer({ DATA_DIR: dataDir.path });
      const ann = await helloOn(before, 'Ann');
      await before.stop();

      const after = await startServer({ DATA_DIR: dataDir.path });
      try {
        const client = await connect(after);
        const reply = await client.request('hello', {
          protocol: 1,
          name: 'Ann',
          resume: ann.resume,
        });
        expectError(reply, 'resume_expired', { id: reply.id });
        const again = await client.hello('Ann', { identity: ann.identity });
        expect(again).toMatchObject({ userId: ann.userId, resumed: false });
      } finally {
        await after.stop();
      }
    } finally {
      await dataDir.remove();
    }
  });

  it('without IDENTITY_SECRET, an api with another DATA_DIR has another secret: a new user', async () => {
    const other = await startServer();
    try {
      const ann = await helloOn(server, 'Ann');
      const there = await helloOn(other, 'Ann', { identity: ann.identity });
      expect(there.userId).not.toBe(ann.userId);
      expect(there.identity).not.toBe(ann.identity);
    } finally {
      await other.stop();
    }
  });

  it('with IDENTITY_SECRET, instances with different DATA_DIRs recognise each other; another secret does not', async () => {
    const secret = 'a shared identity secret';
    const [one, two, rotated] = await Promise.all([
      startServer({ IDENTITY_SECRET: secret }),
      startServer({ IDENTITY_SECRET: secret }),
      startServer({ IDENTITY_SECRET: 'another identity secret' }),
    ]);
    try {
      const fromOne = await helloOn(one, 'Ann');
      expect((await helloOn(two, 'Ann', { identity: fromOne.identity })).userId).toBe(
        fromOne.userId,
      );
      const fromTwo = await helloOn(two, 'Bob');
      expect((await helloOn(one, 'Bob', { identity: fromTwo.identity })).userId).toBe(
        fromTwo.userId,
      );
      const elsewhere = await helloOn(rotated, 'Ann', { identity: fromOne.identity });
      expect(elsewhere.userId).not.toBe(fromOne.userId);
      expect(elsewhere.identity).not.toBe(fromOne.identity);
    } finally {
      await Promise.all([one.stop(), two.stop(), rotated.stop()]);
    }
  });
});
