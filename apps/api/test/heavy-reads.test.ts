/**
 * One user reading history as hard as the limits let it (re-joining a room of 500 messages of
 * about 4,000 characters with `since` far back, 20 joins a second without waiting for acks, and
 * paging the room over HTTP at the read limit) must not slow another user's chat beyond a stated
 * factor: in another room, and in the same room. Each case compares the p50 of B→C delivery
 * latency (send to receive) without and with the reader, within one run on one server.
 *
 * A latency ratio is a timing assertion, kept because the hardening issue asks for it, with a
 * bound generous enough for a shared, loaded 2-core machine where the api, the reader and the
 * pair share one process: loaded p50 ≤ 3 × quiet p50 + 25 ms. Measured here: quiet p50 4–12 ms,
 * loaded about 1.1× on a quiet machine and up to 3× with other jobs running, in either room.
 * The issue reported ~30× for joins in the same room (when a join read its history inside the
 * room's write order) and ~11× for HTTP reads of another room (before reads were limited). Code
 * that read a join's history inside the write order and had no read limit measured about the
 * same as today's under this load (one connection's frames are handled one after another, so one
 * client holds at most one read at a time); four such readers gave about 4× on it.
 */
import { DEFAULT_LIMITS, PROTOCOL_BOUNDS } from '@duplex/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startServer, type TestServer } from './support/api-server.js';
import { fillRoom, joinAs, presenceSays, uniqueRoom, type Member } from './support/chat-helpers.js';

const STORED_MESSAGES = 500;
const TEXT_CHARS = 4_000;
const SAMPLES = 40;
const FACTOR = 3;
const SLACK_MS = 25;

let server: TestServer;
beforeAll(async () => {
  // Raised limits store the room quickly; the reader keeps itself to the default limits.
  server = await startServer({ MESSAGES_PER_SECOND: 10_000, BURST: 10_000 });
});
afterAll(async () => {
  await server.stop();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** B sends to C, one message at a time, 25 a second at most; each delivery's latency in ms. */
async function chatLatencies(sender: Member, receiver: Member, room: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const clientId = `m-${i}-${Math.random()}`;
    const sentAt = performance.now();
    sender.client.send({ event: 'chat.send', data: { room, clientId, text: `hi ${i}` } });
    await receiver.client.nextWhere(
      (frame) => frame.event === 'chat.message' && frame.data.clientId === clientId,
      10_000,
      `message ${clientId}`,
    );
    latencies.push(performance.now() - sentAt);
    await sleep(40);
  }
  // Both took every message: nothing is left queued for the next phase.
  receiver.client.drain();
  sender.client.drain();
  return latencies;
}

/**
 * One user reading history as fast as the limits let it: a `room.join` of `room` every 50 ms
 * (the default rate limit), each with `since` as far back as a recovery goes, sent without
 * waiting for the previous ack; and a page of the room over HTTP at the api's read limit. Its
 * acks are recognised by their first bytes and never parsed, so that the test process (which
 * also runs the api and the chatting pair) spends on it little more than receiving costs.
 */
class HeavyReader {
  private joinTimer: NodeJS.Timeout | undefined;
  private httpLoop: Promise<void> = Promise.resolve();
  private stopping = false;
  private lastSeq = 0;
  private refused: string | null = null;
  joinsSent = 0;
  joinsAcked = 0;
  httpReads = 0;
  bytesReceived = 0;

  private constructor(
    private readonly socket: WebSocket,
    private readonly room: string,
  ) {
    socket.on('message', (raw: RawData) => this.received(raw as Buffer));
  }

  static async open(room: string): Promise<HeavyReader> {
    const socket = new WebSocket(server.wsUrl());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const reader = new HeavyReader(socket, room);
    socket.send(JSON.stringify({ event: 'hello', data: { protocol: 1, name: 'Reader' } }));
    return reader;
  }

  start(): void {
    const interval = 1000 / DEFAULT_LIMITS.messagesPerSecond;
    this.joinTimer = setInterval(() => this.sendJoin(), interval);
    this.httpLoop = this.readPages();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.joinTimer);
    await this.httpLoop;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
    if (this.refused) throw new Error(`the reader was refused: ${this.refused}`);
  }

  /**
   * Every other join asks for a recovery of 500, more than an ack carries (the api reads them,
   * then answers with the latest 50); the others for 200, about 800 KiB of history in the ack.
   */
  private sendJoin(): void {
    const back = this.joinsSent % 2 === 0 ? PROTOCOL_BOUNDS.historyRecoveryMax : RECOVERY_THAT_FITS;
    const since = Math.max(0, this.lastSeq - back);
    const frame = {
      event: 'room.join',
      data: { room: this.room, since },
      id: `join-${++this.joinsSent}`,
    };
    this.socket.send(JSON.stringify(frame));
  }

  private received(message: Buffer): void {
    this.bytesReceived += message.length;
    if (message.subarray(0, JOIN_ACK.length).equals(JOIN_ACK)) {
      this.joinsAcked++;
      // `lastSeq` closes the ack: the next join asks for everything since 500 before it.
      const tail = message.toString('utf8', Math.max(0, message.length - 256));
      this.lastSeq = Number(/"lastSeq":(\d+)/.exec(tail)?.[1] ?? this.lastSeq);
    } else if (message.subarray(0, ERROR.length).equals(ERROR)) {
      this.refused ??= message.toString('utf8', 0, 300);
    }
  }

  private async readPages(): Promise<void> {
    const interval = 1000 / server.config.httpReads.messagesPerSecond;
    const limit = PROTOCOL_BOUNDS.httpHistoryMaxLimit;
    while (!this.stopping) {
      const started = performance.now();
      const query = this.httpReads % 2 === 0 ? `limit=${limit}` : `after=0&limit=${limit}`;
      const response = await fetch(server.httpUrl(`/api/rooms/${this.room}/messages?${query}`));
      if (response.status !== 200) this.refused ??= `HTTP ${response.status}`;
      this.bytesReceived += (await response.arrayBuffer()).byteLength;
      this.httpReads++;
      await sleep(Math.max(0, interval - (performance.now() - started)));
    }
  }
}

const RECOVERY_THAT_FITS = 200;
const JOIN_ACK = Buffer.from('{"event":"ack","id":"join-');
const ERROR = Buffer.from('{"event":"error"');

interface Measured {
  quiet: number;
  loaded: number;
  reader: HeavyReader;
}

/** B→C p50 in `chatRoom` without, then with, a reader of `readRoom`. */
async function measure(chatRoom: string, readRoom: string): Promise<Measured> {
  const receiver = await joinAs(server, 'C', chatRoom);
  const sender = await joinAs(server, 'B', chatRoom);
  await presenceSays(receiver.client, chatRoom, 'joined', sender.user.userId);
  try {
    const quiet = median(await chatLatencies(sender, receiver, chatRoom));
    const reader = await HeavyReader.open(readRoom);
    reader.start();
    const loaded = median(await chatLatencies(sender, receiver, chatRoom));
    await reader.stop();
    return { quiet, loaded, reader };
  } finally {
    await Promise.all([sender.client.close(), receiver.client.close()]);
  }
}

function expectWithinFactor({ quiet, loaded, reader }: Measured): void {
  // The reader really read, all through the samples: joins of hundreds of KiB, and pages.
  expect(reader.joinsAcked).toBeGreaterThan(10);
  expect(reader.httpReads).toBeGreaterThan(5);
  expect(reader.bytesReceived).toBeGreaterThan(10 * 1024 * 1024);
  const measured =
    `quiet p50 ${quiet.toFixed(1)} ms, loaded p50 ${loaded.toFixed(1)} ms ` +
    `(${reader.joinsAcked} joins, ${reader.httpReads} pages, ${(reader.bytesReceived / 2 ** 20).toFixed(0)} MiB read)`;
  expect(loaded, measured).toBeLessThanOrEqual(FACTOR * quiet + SLACK_MS);
}

describe('heavy history reads by one user', () => {
  let heavyRoom: string;

  beforeAll(async () => {
    heavyRoom = uniqueRoom('heavy');
    const text = (i: number) =>
      `${i} ${'lorem ipsum '.repeat(TEXT_CHARS / 12)}`.slice(0, TEXT_CHARS);
    await fillRoom(server, heavyRoom, STORED_MESSAGES, text, 16);
  }, 120_000);

  it('do not slow chat in another room beyond the factor', async () => {
    expectWithinFactor(await measure(uniqueRoom('other'), heavyRoom));
  }, 60_000);

  it('do not slow chat in the same room beyond the factor', async () => {
    expectWithinFactor(await measure(heavyRoom, heavyRoom));
  }, 60_000);
});
