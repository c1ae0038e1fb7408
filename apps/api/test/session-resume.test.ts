import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { expectError, RawClient } from './support/raw-client.js';

const RESUME_GRACE_MS = 500;
let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ RESUME_GRACE_MS });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl('/ws'));
  clients.push(client);
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resume', () => {
  it('within the grace period restores userId and name, with a new token; the old token is then resume_expired', async () => {
    const first = await connect();
    const original = await first.hello('Carol');
    await first.close();

    const second = await connect();
    const resumed = await second.hello('Someone Else', { resume: original.resume });
    expect(resumed.userId).toBe(original.userId);
    expect(resumed.name).toBe('Carol');
    expect(resumed.resume).not.toBe(original.resume);
    expect(resumed.resume.length).toBeGreaterThan(0);
    expect(original.resumed).toBe(false);
    expect(resumed.resumed).toBe(true);
    expect(resumed.rooms).toEqual([]);
    await second.expectUsable();

    const third = await connect();
    const reply = await third.request('hello', {
      protocol: 1,
      name: 'Carol',
      resume: original.resume,
    });
    expectError(reply, 'resume_expired', { id: reply.id });
    await third.expectUsable();
    // The second connection was not disturbed by the failed resume.
    await second.expectUsable();
  });

  it('a resumed session can be resumed again with its newest token', async () => {
    const a = await connect();
    const first = await a.hello('Dan');
    await a.close();
    const b = await connect();
    const second = await b.hello('x', { resume: first.resume });
    await b.close();
    const c = await connect();
    const third = await c.hello('y', { resume: second.resume });
    expect(third.userId).toBe(first.userId);
    expect(third.name).toBe('Dan');
    expect(new Set([first.resume, second.resume, third.resume]).size).toBe(3);
  });

  it('after a close with 1001 from the client side the session is in grace too', async () => {
    const a = await connect();
    const first = await a.hello('Going');
    await a.close(1001);
    const b = await connect();
    const resumed = await b.hello('x', { resume: first.resume });
    expect(resumed.userId).toBe(first.userId);
  });

  it('an unknown token → resume_expired, and the connection stays open for a fresh hello', async () => {
    const client = await connect();
    const reply = await client.request('hello', {
      protocol: 1,
      name: 'Eve',
      resume: 'no-such-token',
    });
    expectError(reply, 'resume_expired', { id: reply.id });
    expect(client.isOpen).toBe(true);
    expectError(await client.request('ping', {}), 'unauthenticated');
    const fresh = await client.hello('Eve');
    expect(fresh.name).toBe('Eve');
    await client.expectUsable();
  });

  it('the name is validated before the token is looked up', async () => {
    const client = await connect();
    const reply = await client.request('hello', { protocol: 1, name: '', resume: 'no-such-token' });
    expectError(reply, 'bad_message', { fields: ['name'], id: reply.id });
    await client.expectUsable();
  });

  it('a resume with an invalid name fails on the name and leaves the token valid', async () => {
    const a = await connect();
    const original = await a.hello('Ivy');
    await a.close();
    const b = await connect();
    const reply = await b.request('hello', {
      protocol: 1,
      name: 'x'.repeat(33),
      resume: original.resume,
    });
    expectError(reply, 'bad_message', { fields: ['name'], id: reply.id });
    const resumed = await b.hello('Valid', { resume: original.resume });
    expect(resumed).toMatchObject({ userId: original.userId, name: 'Ivy', resumed: true });
  });

  it('rooms in the resume ack are the rooms the session is a member of', async () => {
    const a = await connect();
    const original = await a.hello('Jay');
    expect(original.rooms).toEqual([]);
    for (const room of ['resume-kept', 'resume-left', 'resume-other']) {
      expect((await a.request('room.join', { room })).event).toBe('ack');
    }
    expect((await a.request('room.leave', { room: 'resume-left' })).event).toBe('ack');
    await a.close();
    const b = await connect();
    const resumed = await b.hello('Jay', { resume: original.resume });
    expect(resumed.resumed).toBe(true);
    expect([...resumed.rooms].sort()).toEqual(['resume-kept', 'resume-other']);
    // A takeover is a resume too.
    const c = await connect();
    const takenOver = await c.hello('Jay', { resume: resumed.resume });
    expect(takenOver.resumed).toBe(true);
    expect([...takenOver.rooms].sort()).toEqual(['resume-kept', 'resume-other']);
    expect((await b.waitClosed()).code).toBe(4003);
  });

  it('a new session is resumed false with no rooms, also for a user whose other session has rooms', async () => {
    const a = await connect();
    const first = await a.hello('Kim');
    expect((await a.request('room.join', { room: 'kims-room' })).event).toBe('ack');
    const b = await connect();
    const second = await b.hello('Kim', { identity: first.identity });
    expect(second.userId).toBe(first.userId);
    expect(second.resumed).toBe(false);
    expect(second.rooms).toEqual([]);
  });

  it('after the grace period → resume_expired', async () => {
    const a = await connect();
    const original = await a.hello('Frank');
    await a.close();
    // Testing that the session is gone once the grace period has passed.
    await sleep(RESUME_GRACE_MS + 400);
    const b = await connect();
    const reply = await b.request('hello', { protocol: 1, name: 'Frank', resume: original.resume });
    expectError(reply, 'resume_expired', { id: reply.id });
    const fresh = await b.hello('Frank');
    expect(fresh.userId).not.toBe(original.userId);
    expect(fresh.resumed).toBe(false);
    await b.expectUsable();
  });

  it('a token presented while its connection is open takes the session over: the old connection closes 4003', async () => {
    const old = await connect();
    const original = await old.hello('Grace');
    const taker = await connect();
    const resumed = await taker.hello('ignored', { resume: original.resume });
    expect(resumed.userId).toBe(original.userId);
    expect(resumed.name).toBe('Grace');
    expect(resumed.resumed).toBe(true);
    expect(resumed.resume).not.toBe(original.resume);
    const closed = await old.waitClosed();
    expect(closed.code).toBe(4003);
    await taker.expectUsable();
    // The taken-over connection's close does not put the session into grace or end it.
    await sleep(RESUME_GRACE_MS + 300);
    await taker.expectUsable();
    await taker.close();
    const later = await connect();
    const again = await later.hello('x', { resume: resumed.resume });
    expect(again.userId).toBe(original.userId);
  });

  it('a token used for a takeover is invalid afterwards', async () => {
    const old = await connect();
    const original = await old.hello('Heidi');
    const taker = await connect();
    await taker.hello('x', { resume: original.resume });
    await old.waitClosed();
    const third = await connect();
    expectError(
      await third.request('hello', { protocol: 1, name: 'x', resume: original.resume }),
      'resume_expired',
    );
    await taker.expectUsable();
  });
});
