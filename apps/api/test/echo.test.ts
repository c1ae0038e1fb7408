import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { CloseCode, DEFAULT_LIMITS, PROTOCOL_BOUNDS } from '@duplex/protocol';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { startServer, type TestServer } from './support/api-server.js';
import { RawClient, withTimeout } from './support/raw-client.js';

let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ HELLO_TIMEOUT_MS: 300 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function echo(on: TestServer = server): Promise<RawClient> {
  const client = await RawClient.connect(on.wsUrl('/ws/echo'));
  clients.push(client);
  return client;
}

describe('/ws/echo', () => {
  it('text stays text, with identical UTF-8 content (emoji included)', async () => {
    const client = await echo();
    const text = 'héllo 👋🏽 wörld — 漢字 \u0000 "quoted" {not json';
    client.send(text);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(false);
    expect(message.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(message.data.toString('utf8')).toBe(text);
  });

  it('JSON text is echoed unchanged, with no envelope', async () => {
    const client = await echo();
    const text = '{"event":"ping","data":{},"id":"1"}';
    client.send(text);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(false);
    expect(message.data.toString('utf8')).toBe(text);
    client.send('barrier');
    expect((await client.nextRaw()).data.toString('utf8')).toBe('barrier');
  });

  it('binary stays binary, with identical bytes', async () => {
    const client = await echo();
    const bytes = randomBytes(1000);
    client.send(bytes);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(true);
    expect(message.data.length).toBe(1000);
    expect(message.data.equals(bytes)).toBe(true);
  });

  it('an empty text frame and an empty binary frame come back as such', async () => {
    const client = await echo();
    client.send('');
    client.send(Buffer.alloc(0));
    const text = await client.nextRaw();
    const binary = await client.nextRaw();
    expect(text).toMatchObject({ isBinary: false });
    expect(text.data.length).toBe(0);
    expect(binary).toMatchObject({ isBinary: true });
    expect(binary.data.length).toBe(0);
  });

  it('a burst of frames (the default burst) keeps its order and opcodes', async () => {
    const client = await echo();
    const sent: { data: Buffer; isBinary: boolean }[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.burst; i++) {
      const isBinary = i % 3 === 0;
      const data = isBinary ? randomBytes(1 + i) : Buffer.from(`frame ${i} ✓`, 'utf8');
      sent.push({ data, isBinary });
      client.send(isBinary ? data : data.toString('utf8'));
    }
    for (const expected of sent) {
      const message = await client.nextRaw();
      expect(message.isBinary).toBe(expected.isBinary);
      expect(message.data.equals(expected.data)).toBe(true);
    }
  });

  it('needs no hello: the hello timeout of /ws does not apply', async () => {
    const client = await echo();
    await client.expectNoFrame(600);
    expect(client.isOpen).toBe(true);
    client.send('still here');
    expect((await client.nextRaw()).data.toString()).toBe('still here');
  });

  it('echoes only to the sender', async () => {
    const a = await echo();
    const b = await echo();
    a.send('for a');
    expect((await a.nextRaw()).data.toString()).toBe('for a');
    // b's own echo comes first: a's frame, processed before it, sent b nothing.
    b.send('for b');
    expect((await b.nextRaw()).data.toString()).toBe('for b');
  });
});

describe('/ws/echo rate limit', () => {
  const BURST = 5;
  let limited: TestServer;

  beforeAll(async () => {
    limited = await startServer({ BURST, MESSAGES_PER_SECOND: 1 });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('a frame over the limit is not echoed, with no error frame; the connection stays open', async () => {
    const client = await echo(limited);
    for (let i = 1; i <= BURST + 1; i++) client.send(`f${i}`);
    for (let i = 1; i <= BURST; i++) expect((await client.nextRaw()).data.toString()).toBe(`f${i}`);
    // A token is back after a second; the barrier's echo proves nothing came for f6 before it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    client.send('barrier');
    expect((await client.nextRaw()).data.toString()).toBe('barrier');
    expect(client.isOpen).toBe(true);
  });

  it('a flood past rejectedFactor × burst closes 1008; only the frames within the limit are echoed', async () => {
    const client = await echo(limited);
    const rejectedAllowed = PROTOCOL_BOUNDS.rejectedFactor * BURST;
    const total = BURST + rejectedAllowed + 1 + 20;
    for (let i = 1; i <= total; i++) client.send(i % 2 ? `f${i}` : Buffer.from(`f${i}`));
    expect((await client.waitClosed(5_000)).code).toBe(1008);
    const echoed = client.drain();
    expect(echoed.map((message) => message.data.toString())).toEqual(
      Array.from({ length: BURST }, (_, i) => `f${i + 1}`),
    );
    expect(echoed.map((message) => message.isBinary)).toEqual(
      Array.from({ length: BURST }, (_, i) => (i + 1) % 2 === 0),
    );
  });
});

describe('/ws/echo send buffer', () => {
  const FRAME_BYTES = 60_000;
  /** Written by a client that never reads: far more than the limit, and than the memory bound. */
  const TOTAL_BYTES = 400 * 1024 * 1024;
  /** Growth of this process's RSS allowed meanwhile; without the limit it grows by TOTAL_BYTES. */
  const RSS_GROWTH_BOUND = 200 * 1024 * 1024;
  let unlimited: TestServer;

  beforeAll(async () => {
    // Rate limits out of the way: here the send buffer is what stops the client.
    unlimited = await startServer({ BURST: 1_000_000, MESSAGES_PER_SECOND: 1_000_000 });
  });
  afterAll(async () => {
    await unlimited.stop();
  });

  it('a client that writes 60 KB frames and never reads is closed 1013; memory stays bounded', async () => {
    // A zero mask makes `ws` send the frame without copying it, so the client costs no memory.
    const socket = new WebSocket(unlimited.wsUrl('/ws/echo'), {
      generateMask: (mask) => mask.fill(0),
    });
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    await withTimeout(new Promise((resolve) => socket.once('open', resolve)), 2_000, 'open');
    socket.pause(); // never reads: the echoes pile up on the server

    const frame = randomBytes(FRAME_BYTES);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    for (let written = 0; written < TOTAL_BYTES; written += FRAME_BYTES) {
      socket.send(frame, { binary: true });
      // Waits for the client's own socket to drain, so only the server can pile data up.
      while (socket.bufferedAmount > 1024 * 1024) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    }
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_BOUND);

    socket.resume(); // reads what the server sent before it gave up, then its close frame
    expect(await withTimeout(closed, 10_000, 'the close')).toBe(1013);
  }, 60_000);
});

describe('/ws/echo frame over the limit', () => {
  const MAX_FRAME_BYTES = 1024;
  const logLines: { level: number; msg: string; code?: string; maxFrameBytes?: number }[] = [];
  let app: INestApplication;
  let port: number;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'duplex-echo-test-'));
    const config = loadConfig({ DATA_DIR: dataDir, MAX_FRAME_BYTES, LOG_LEVEL: 'info' });
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void logLines.push(JSON.parse(line)) },
    );
    app = await createApp(config, logger);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  // The endpoint refuses it by design: expected, so a warning, and no error in the log.
  it('closes 1009, is not echoed, and is logged as a warning, not an error', async () => {
    const client = await RawClient.connect(`ws://127.0.0.1:${port}/ws/echo`);
    clients.push(client);
    const errorsBefore = logLines.filter((line) => line.level >= 50).length;
    client.send(randomBytes(MAX_FRAME_BYTES + 1));
    expect((await client.waitClosed()).code).toBe(CloseCode.MessageTooBig);
    expect(client.drain()).toEqual([]);
    const warning = logLines.find((line) => line.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    expect(warning?.level).toBe(40);
    expect(warning?.maxFrameBytes).toBe(MAX_FRAME_BYTES);
    expect(logLines.filter((line) => line.level >= 50)).toHaveLength(errorsBefore);
  });
});
