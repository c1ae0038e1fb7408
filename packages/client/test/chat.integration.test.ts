/**
 * The chat client against the real api, built (`cd apps/api && pnpm build`) and run as a child
 * process: two clients, a dropped socket, an api killed with SIGKILL and started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTextMessage, type ChatMessage } from '@duplex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DuplexClient, type ConnectionState, type RoomSnapshot } from '../src/index.js';

const apiDir = fileURLToPath(new URL('../../../apps/api/', import.meta.url));
const apiMain = join(apiDir, 'dist', 'main.js');
const ROOM = 'recovery';

if (!existsSync(apiMain)) {
  console.warn(
    `Skipping the chat integration tests: build the api first (cd apps/api && pnpm build)`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

interface Api {
  process: ChildProcess;
  output: string[];
}

async function startApi(port: number, dataDir: string): Promise<Api> {
  const output: string[] = [];
  const child = spawn(process.execPath, [apiMain], {
    cwd: apiDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      RESUME_GRACE_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`api exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return { process: child, output };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`api not healthy within 30 s:\n${output.join('')}`);
}

function killApi(api: Api): Promise<void> {
  if (api.process.exitCode !== null || api.process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    api.process.once('exit', () => resolve());
    api.process.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A client whose sockets the test can reach, to cut one as a network failure would. */
function trackedClient(name: string, reconnectDelayMs: number) {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const received = new Map<string, number>();
  const client = new DuplexClient({
    url,
    name,
    WebSocket: TrackedWebSocket,
    reconnect: { initialDelayMs: reconnectDelayMs, maxDelayMs: reconnectDelayMs, jitter: 0 },
  });
  client.on('chat.message', (message) => {
    if (isTextMessage(message))
      received.set(message.clientId, (received.get(message.clientId) ?? 0) + 1);
  });
  return { client, sockets, received };
}

const snapshotOf = (client: DuplexClient): RoomSnapshot => {
  const store = client.room(ROOM);
  if (!store) throw new Error('room not joined');
  return store.getSnapshot();
};
const seqsOf = (messages: readonly ChatMessage[]) => messages.map((message) => message.seq);
const textsOf = (messages: readonly ChatMessage[]) =>
  messages.filter(isTextMessage).map((message) => message.text);
const settled = (client: DuplexClient, count: number) => () => {
  const snapshot = snapshotOf(client);
  return (
    snapshot.messages.length === count &&
    snapshot.pending.length === 0 &&
    snapshot.lastSeq === count
  );
};
const waitForState = (client: DuplexClient, state: ConnectionState, timeoutMs?: number) =>
  waitFor(`state ${state}`, () => client.state === state, timeoutMs);

let port: number;
let url: string;
let dataDir: string;
let api: Api | undefined;
let alice: ReturnType<typeof trackedClient>;
let bob: ReturnType<typeof trackedClient>;

describe.skipIf(!existsSync(apiMain))('chat against the real api (apps/api/dist)', () => {
  beforeAll(async () => {
    port = await freePort();
    url = `ws://127.0.0.1:${port}/ws`;
    dataDir = mkdtempSync(join(tmpdir(), 'duplex-client-it-'));
    api = await startApi(port, dataDir);
    alice = trackedClient('Alice', 200);
    bob = trackedClient('Bob', 1_000);
  }, 45_000);

  afterAll(async () => {
    alice?.client.close();
    bob?.client.close();
    if (api) await killApi(api);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 15_000);

  it('two clients join, see each other, and get every message once, in order', async () => {
    alice.client.connect();
    bob.client.connect();
    await alice.client.joinRoom(ROOM);
    const bobJoined = await bob.client.joinRoom(ROOM);
    const aliceId = alice.client.session!.userId;
    const bobId = bob.client.session!.userId;
    expect(bobJoined.members.map((member) => member.userId).sort()).toEqual(
      [aliceId, bobId].sort(),
    );
    await waitFor('alice to see bob', () =>
      snapshotOf(alice.client).members.some((m) => m.userId === bobId),
    );
    expect(snapshotOf(alice.client).online).toBe(2);

    alice.client.sendChat(ROOM, 'a1');
    bob.client.sendChat(ROOM, 'b1');
    alice.client.sendChat(ROOM, 'a2');
    await waitFor(
      '3 messages on both sides',
      () => settled(alice.client, 3)() && settled(bob.client, 3)(),
    );

    const seen = snapshotOf(alice.client).messages;
    expect(seqsOf(seen)).toEqual([1, 2, 3]);
    expect(snapshotOf(bob.client).messages).toEqual(seen);
    expect(textsOf(seen).filter((text) => text.startsWith('a'))).toEqual(['a1', 'a2']);
    for (const { received } of [alice, bob]) expect([...received.values()]).toEqual([1, 1, 1]);
  }, 30_000);

  it('a dropped client recovers what it missed and delivers its offline send once', async () => {
    const bobId = bob.client.session!.userId;
    bob.sockets.at(-1)!.terminate(); // the connection dies without a close handshake
    await waitForState(bob.client, 'reconnecting');

    const offlineId = bob.client.sendChat(ROOM, 'bob, offline');
    expect(snapshotOf(bob.client).pending).toMatchObject([
      { clientId: offlineId, status: 'queued' },
    ]);
    for (const text of ['missed 1', 'missed 2', 'missed 3']) alice.client.sendChat(ROOM, text);
    await waitFor('alice to store her 3 messages', settled(alice.client, 6));
    expect(bob.client.state).not.toBe('ready'); // they were sent while bob was away

    await waitForState(bob.client, 'ready');
    expect(bob.client.session!.userId).toBe(bobId); // resumed within the grace period
    await waitFor(
      '7 messages on both sides',
      () => settled(alice.client, 7)() && settled(bob.client, 7)(),
    );

    const aliceView = snapshotOf(alice.client);
    const bobView = snapshotOf(bob.client);
    expect(seqsOf(bobView.messages)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(bobView.messages).toEqual(aliceView.messages);
    expect(textsOf(bobView.messages).slice(3)).toEqual([
      'missed 1',
      'missed 2',
      'missed 3',
      'bob, offline',
    ]);
    expect(
      bobView.messages.filter(isTextMessage).filter((message) => message.clientId === offlineId),
    ).toHaveLength(1);
    expect(alice.received.get(offlineId)).toBe(1);
    expect(bobView.recovered).toBe(true);
    expect(aliceView.online).toBe(2);

    const stored = (await (
      await fetch(`http://127.0.0.1:${port}/api/rooms/${ROOM}/messages`)
    ).json()) as ChatMessage[];
    expect(
      stored.filter(isTextMessage).filter((message) => message.clientId === offlineId),
    ).toHaveLength(1);
    expect(seqsOf(stored)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  }, 30_000);

  it('both clients come back on their own after the api is killed and restarted', async () => {
    const oldIds = [alice.client.session!.userId, bob.client.session!.userId];
    await killApi(api!);
    await waitFor(
      'both to notice',
      () => alice.client.state === 'reconnecting' && bob.client.state === 'reconnecting',
    );
    const sentWhileDown = alice.client.sendChat(ROOM, 'sent while the api was down');

    api = await startApi(port, dataDir);
    await waitFor(
      'both ready again',
      () => alice.client.state === 'ready' && bob.client.state === 'ready',
      20_000,
    );
    const newIds = [alice.client.session!.userId, bob.client.session!.userId];
    // resume_expired, then a fresh session: the identity makes each the same user again.
    expect(newIds).toEqual(oldIds);
    expect([alice.client.session!.resumed, bob.client.session!.resumed]).toEqual([false, false]);

    await waitFor(
      'the queued message on both sides',
      () => settled(alice.client, 8)() && settled(bob.client, 8)(),
    );
    await waitFor('both to see each other', () =>
      [alice, bob].every(({ client }) =>
        newIds.every((id) => snapshotOf(client).members.some((m) => m.userId === id)),
      ),
    );
    const history = snapshotOf(bob.client).messages;
    expect(seqsOf(history)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history.at(-1)).toMatchObject({
      clientId: sentWhileDown,
      text: 'sent while the api was down',
    });
    expect(snapshotOf(alice.client).messages).toEqual(history);

    bob.client.sendChat(ROOM, 'after restart');
    await waitFor(
      'the new message on both sides',
      () => settled(alice.client, 9)() && settled(bob.client, 9)(),
    );
    expect(textsOf(snapshotOf(alice.client).messages).at(-1)).toBe('after restart');
    expect(snapshotOf(alice.client).messages).toEqual(snapshotOf(bob.client).messages);
    for (const { received } of [alice, bob])
      expect([...received.values()].every((count) => count === 1)).toBe(true);
  }, 60_000);
});
