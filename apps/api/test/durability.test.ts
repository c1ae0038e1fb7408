import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextChatMessage } from './support/chat-helpers.js';
import { RawClient } from './support/raw-client.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startApi(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      // Unset: the identity secret is generated once and kept in DATA_DIR.
      IDENTITY_SECRET: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('api did not become ready');
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('durability (the built api, killed with SIGKILL)', () => {
  let dataDir: string;
  let port: number;
  let api: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the api first (pnpm build)`);
    dataDir = await mkdtemp(join(tmpdir(), 'duplex-durability-'));
    port = await freePort();
  });
  afterEach(async () => {
    // Each test starts its own api on the port.
    if (api && api.exitCode === null) await killHard(api);
    api = undefined;
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps every acknowledged message across kill -9 and continues the sequence',
    { timeout: 120_000 },
    async () => {
      api = await startApi(port, dataDir);
      const client = await RawClient.connect(`ws://127.0.0.1:${port}/ws`);
      await client.hello('Ann');
      await client.request('room.join', { room: 'durable' });
      const acks = [];
      for (let i = 1; i <= 20; i++) {
        const reply = await client.request('chat.send', {
          room: 'durable',
          clientId: `d-${i}`,
          text: `kept ${i}`,
        });
        expect(reply.event).toBe('ack');
        acks.push(reply.data);
      }

      await killHard(api);
      expect((await client.waitClosed(5_000)).code).toBe(1006);
      api = await startApi(port, dataDir);

      const response = await fetch(`http://127.0.0.1:${port}/api/rooms/durable/messages?limit=200`);
      const stored = (await response.json()) as { seq: number; text: string; ts: string }[];
      expect(stored.map((m) => m.text)).toEqual(
        Array.from({ length: 20 }, (_, i) => `kept ${i + 1}`),
      );
      expect(stored.map((m) => ({ seq: m.seq, ts: m.ts }))).toEqual(acks);

      const again = await RawClient.connect(`ws://127.0.0.1:${port}/ws`);
      await again.hello('Ann');
      const join = await again.request('room.join', { room: 'durable', since: 15 });
      expect(join.data).toMatchObject({ lastSeq: 20, recovered: true });
      const retried = await again.request('chat.send', {
        room: 'durable',
        clientId: 'after-restart',
        text: 'next',
      });
      expect(retried.data.seq).toBe(21);
      await again.close();
    },
  );

  it(
    'a chat.send stored just before kill -9, its ack never read, retried after the restart with the same identity and clientId: stored once, answered with the first {seq, ts}',
    { timeout: 120_000 },
    async () => {
      const room = 'retried';
      const url = `ws://127.0.0.1:${port}/ws`;
      api = await startApi(port, dataDir);
      const ann = await RawClient.connect(url);
      const annAck = await ann.hello('Ann');
      expect((await ann.request('room.join', { room })).event).toBe('ack');
      const bob = await RawClient.connect(url);
      await bob.hello('Bob');
      expect((await bob.request('room.join', { room })).event).toBe('ack');

      ann.send({
        event: 'chat.send',
        data: { room, clientId: 'retry-after-crash', text: 'sent once' },
        id: 'never-read',
      });
      // Broadcast only once stored: the message is durable now. Ann's ack is never read.
      const stored = await nextChatMessage(bob);
      expect(stored.data).toMatchObject({ clientId: 'retry-after-crash', text: 'sent once' });
      await killHard(api);
      api = await startApi(port, dataDir);

      const retrying = await RawClient.connect(url);
      const sameUser = await retrying.hello('Ann', { identity: annAck.identity });
      expect(sameUser.userId).toBe(annAck.userId);
      expect((await retrying.request('room.join', { room, since: 0 })).event).toBe('ack');
      const watcher = await RawClient.connect(url);
      await watcher.hello('Watcher');
      expect((await watcher.request('room.join', { room })).event).toBe('ack');

      const retry = await retrying.request('chat.send', {
        room,
        clientId: 'retry-after-crash',
        text: 'sent once (retried)',
      });
      expect(retry.event).toBe('ack');
      expect(retry.data).toEqual({ seq: stored.data.seq, ts: stored.data.ts });

      const response = await fetch(`http://127.0.0.1:${port}/api/rooms/${room}/messages`);
      const history = (await response.json()) as { clientId?: string; text: string }[];
      expect(history.filter((m) => m.clientId === 'retry-after-crash')).toEqual([
        expect.objectContaining({ text: 'sent once' }),
      ]);

      // Not broadcast again: the next message anyone in the room receives is a new one.
      const next = await retrying.request('chat.send', { room, clientId: 'next', text: 'next' });
      expect(next.data.seq).toBe(stored.data.seq + 1);
      for (const client of [watcher, retrying]) {
        expect((await nextChatMessage(client)).data).toMatchObject({
          seq: next.data.seq,
          text: 'next',
        });
      }
      await Promise.all([retrying.close(), watcher.close()]);
    },
  );
});
