/**
 * Fuzzing a live gateway: thousands of malformed frames of every kind (not JSON, not an object,
 * bad envelopes, unknown events, every event's data broken field by field, binary frames, frames
 * before and after `hello`, oversized frames), each answered with the code PROTOCOL.md's order
 * of checks gives it, in order, never `internal`; a well-behaved pair chatting meanwhile gets
 * every message, and the api stays healthy. A second server at the default rate limit answers
 * floods of the same frames with `rate_limited` and, past the rule, close 1008.
 *
 * The seed is fixed, so a run is repeatable. The default (`DUPLEX_FUZZ_RUNS=60`: about 3,000
 * frames on the main property, plus floods and oversized frames) takes about 30 s of CPU on
 * two cores. A larger run, about 100,000 frames, with a new seed:
 *
 *   DUPLEX_FUZZ_RUNS=2000 DUPLEX_FUZZ_SEED=$RANDOM npx vitest run test/fuzz.test.ts
 *
 * A failure prints the seed, the frames of the failing run and the first wrong reply; shrinking
 * (slow against a live server) is on with `DUPLEX_FUZZ_SHRINK=1`.
 */
import { randomUUID } from 'node:crypto';
import { CloseCode, DEFAULT_LIMITS, ErrorCode, PROTOCOL_BOUNDS, decode } from '@duplex/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, presenceSays, uniqueRoom, type Member } from './support/chat-helpers.js';
import {
  callFrame,
  fuzzFrame,
  helloFrame,
  materialize,
  type FuzzFrame,
  type PlaceholderValues,
} from './support/fuzz-frames.js';
import { FuzzSessionModel, rateLimitedId, replyMismatch } from './support/fuzz-model.js';
import { FuzzTally, REPLY_TIMEOUT_MS, fuzzRun, type Bystander } from './support/fuzz-run.js';
import { RawClient, type ServerFrame } from './support/raw-client.js';

function intFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`${name} must be an integer, got ${value}`);
  return parsed;
}

const DEFAULT_RUNS = 60;
const RUNS = intFromEnv('DUPLEX_FUZZ_RUNS', DEFAULT_RUNS);
const SEED = intFromEnv('DUPLEX_FUZZ_SEED', 20_260_611);
const SHRINK = process.env.DUPLEX_FUZZ_SHRINK === '1';
/** Placeholders grow once filled in (a userId is longer than its marker): keep well under the limit. */
const MAX_FUZZ_FRAME_BYTES = DEFAULT_LIMITS.maxFrameBytes - 4096;
/** Per run of the main property, generously, for a loaded machine. */
const MS_PER_RUN = 1_500;

/**
 * Runs a property with the suite's seed; a failure is reported by its error (which names the
 * frames and the wrong reply) and the seed and path that replay it, not by fast-check's print
 * of the whole counterexample (frames of up to 60 KiB each).
 */
async function checkProperty<Ts>(property: fc.IAsyncProperty<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { seed: SEED, numRuns, endOnFailure: !SHRINK });
  if (!details.failed) return;
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance);
  throw new Error(
    `failed after ${details.numRuns} runs (seed ${SEED}, path "${details.counterexamplePath}", shrunk ${details.numShrinks} times):\n${cause}`,
  );
}

/** B sends to C in a room of their own, one message after another, while the fuzz runs. */
class ChattingPair {
  private sent: string[] = [];
  private running: Promise<void> | null = null;
  private stopping = false;
  private failure: unknown = null;

  private constructor(
    readonly room: string,
    readonly sender: Member,
    readonly receiver: Member,
  ) {}

  static async join(server: TestServer): Promise<ChattingPair> {
    const room = uniqueRoom('fz-chat');
    const receiver = await joinAs(server, 'Carol', room);
    const sender = await joinAs(server, 'Bob', room);
    await presenceSays(receiver.client, room, 'joined', sender.user.userId);
    return new ChattingPair(room, sender, receiver);
  }

  get bystander(): Bystander {
    return { userId: this.sender.user.userId, room: this.room };
  }

  start(): void {
    this.running = (async () => {
      try {
        while (!this.stopping) {
          const clientId = `b-${this.sent.length + 1}`;
          const reply = await this.sender.client.request(
            'chat.send',
            { room: this.room, clientId, text: `message ${clientId}` },
            REPLY_TIMEOUT_MS,
          );
          if (reply.event !== 'ack') throw new Error(`B's send refused: ${JSON.stringify(reply)}`);
          this.sent.push(clientId);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } catch (error) {
        this.failure = error;
      }
    })();
  }

  /** Stops sending; resolves with what B sent and what each of them received, by clientId. */
  async stop(): Promise<{ sent: string[]; atSender: ServerFrame[]; atReceiver: ServerFrame[] }> {
    this.stopping = true;
    await this.running;
    if (this.failure) throw this.failure;
    const last = this.sent.at(-1)!;
    const upTo = async (client: RawClient) => {
      const frames: ServerFrame[] = [];
      for (;;) {
        const frame = await client.next(REPLY_TIMEOUT_MS);
        frames.push(frame);
        if (frame.event === 'chat.message' && frame.data.clientId === last) return frames;
      }
    };
    return {
      sent: this.sent,
      atSender: await upTo(this.sender.client),
      atReceiver: await upTo(this.receiver.client),
    };
  }
}

/** `duplex_ws_errors_total{code="internal"}` from the api's metrics (0 when never counted). */
async function internalErrorsCounted(server: TestServer): Promise<number> {
  const text = await (await fetch(server.httpUrl('/metrics'))).text();
  const line = text
    .split('\n')
    .find((row) => row.startsWith('duplex_ws_errors_total{code="internal"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** The api answers: `/health` 200, and a new connection's hello and ping succeed. */
async function expectHealthy(server: TestServer): Promise<void> {
  expect((await fetch(server.httpUrl('/health'))).status).toBe(200);
  const client = await RawClient.connect(server.wsUrl());
  try {
    await client.hello('After the fuzz');
    expect((await client.request('ping', {})).event).toBe('ack');
  } finally {
    await client.close();
  }
}

describe('fuzzing /ws, the rate limit out of the way', () => {
  let server: TestServer;
  let pair: ChattingPair;
  const tally = new FuzzTally();

  beforeAll(async () => {
    server = await startServer({
      MESSAGES_PER_SECOND: 1_000_000,
      BURST: 1_000_000,
      // Calls the fuzz leaves ringing end with their session, not by a timer during the test.
      CALL_RING_TIMEOUT_MS: 600_000,
    });
    pair = await ChattingPair.join(server);
    pair.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it(
    'answers every frame as PROTOCOL.md orders the checks, in order, never internal',
    async () => {
      const frame = fuzzFrame(MAX_FUZZ_FRAME_BYTES, { deepNesting: true });
      // Before the hello, mostly hellos (failed ones leave the connection unauthenticated).
      const prefix = fc.array(
        fc.oneof(
          { weight: 2, arbitrary: frame },
          { weight: 3, arbitrary: helloFrame(MAX_FUZZ_FRAME_BYTES) },
        ),
        { maxLength: 4 },
      );
      const body = fc.array(
        fc.oneof(
          { weight: 4, arbitrary: frame },
          { weight: 1, arbitrary: callFrame(MAX_FUZZ_FRAME_BYTES) },
        ),
        { minLength: 20, maxLength: 80, size: 'max' },
      );
      await checkProperty(
        fc.asyncProperty(prefix, body, (before, after) =>
          fuzzRun(server, pair.bystander, before, after, tally),
        ),
        RUNS,
      );

      // The generators reached every answer a lone session can get (seeded: not by luck).
      if (RUNS >= DEFAULT_RUNS) {
        expect([...tally.codes.keys()].sort()).toEqual(
          [
            'ack',
            ErrorCode.BadJson,
            ErrorCode.BadMessage,
            ErrorCode.UnknownEvent,
            ErrorCode.Unauthenticated,
            ErrorCode.UnsupportedProtocol,
            ErrorCode.ResumeExpired,
            ErrorCode.NotInRoom,
            ErrorCode.NotInCall,
            ErrorCode.BadState,
            ErrorCode.PeerUnavailable,
            ErrorCode.Busy,
          ].sort(),
        );
        for (const field of [
          'id',
          'event',
          'data',
          'protocol',
          'name',
          'resume',
          'identity',
          'room',
          'since',
          'clientId',
          'text',
          'typing',
          'callId',
          'to',
          'video',
          'audio',
          'reason',
          'sdp',
          'candidate',
        ]) {
          expect(tally.badFields, `no bad_message named ${field}`).toContain(field);
        }
        expect(tally.frames).toBeGreaterThan(2_500);
      }
    },
    60_000 + RUNS * MS_PER_RUN,
  );

  it('answers a frame nested thousands of levels deep like any other (ack, or bad_message for an ill-formed string)', async () => {
    const client = await RawClient.connect(server.wsUrl());
    try {
      await client.hello('Deep');
      for (const depth of [5_000, 30_000]) {
        const nested = '['.repeat(depth) + ']'.repeat(depth);
        client.send(`{"event":"ping","data":{"deep":${nested}},"id":"deep-data-${depth}"}`);
        client.send(`{"event":"ping","data":{},"deep":${nested},"id":"deep-envelope-${depth}"}`);
        client.send(
          `{"event":"ping","data":{"deep":[${nested},"\\ud800"]},"id":"deep-bad-${depth}"}`,
        );
        expect(await client.next(REPLY_TIMEOUT_MS)).toMatchObject({
          event: 'ack',
          id: `deep-data-${depth}`,
        });
        expect(await client.next(REPLY_TIMEOUT_MS)).toMatchObject({
          event: 'ack',
          id: `deep-envelope-${depth}`,
        });
        expect(await client.next(REPLY_TIMEOUT_MS)).toMatchObject({
          event: 'error',
          id: `deep-bad-${depth}`,
          data: { code: 'bad_message', details: { fields: ['data'] } },
        });
      }
    } finally {
      await client.close();
    }
  });

  it('closes 1009 on a frame over maxFrameBytes (text or binary, whole or in fragments, before or after hello)', async () => {
    const limit = server.config.limits.maxFrameBytes;
    const oversized = fc.record({
      excess: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 2 * limit })),
      binary: fc.boolean(),
      fragments: fc.integer({ min: 1, max: 4 }),
      afterHello: fc.boolean(),
    });
    await checkProperty(
      fc.asyncProperty(oversized, async ({ excess, binary, fragments, afterHello }) => {
        const client = await RawClient.connect(server.wsUrl());
        try {
          if (afterHello) await client.hello('Big');
          const payload = Buffer.alloc(limit + excess, 'a');
          const size = Math.ceil(payload.length / fragments);
          for (let start = 0; start < payload.length; start += size) {
            const fin = start + size >= payload.length;
            client.socket.send(payload.subarray(start, start + size), { binary, fin });
          }
          expect((await client.waitClosed(REPLY_TIMEOUT_MS)).code).toBe(CloseCode.MessageTooBig);
          // Nothing of it was processed: no reply of any kind came before the close.
          expect(client.drain()).toEqual([]);
        } finally {
          await client.close();
        }
      }),
      Math.max(8, Math.round(RUNS / 10)),
    );
  }, 60_000);

  it('meanwhile the chatting pair got every message in order, and the api is healthy', async () => {
    const { sent, atSender, atReceiver } = await pair.stop();
    expect(sent.length).toBeGreaterThan(10);
    for (const frames of [atSender, atReceiver]) {
      // Nothing but the pair's own messages: no frame of the fuzz reached them.
      expect(frames.filter((frame) => frame.event !== 'chat.message')).toEqual([]);
      expect(frames.map((frame) => frame.data.clientId)).toEqual(sent);
      const seqs = frames.map((frame) => frame.data.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
    await expectHealthy(server);
    expect(await internalErrorsCounted(server)).toBe(0);
    await Promise.all([pair.sender.client.close(), pair.receiver.client.close()]);
  });
});

describe('fuzzing /ws at the default rate limit', () => {
  let server: TestServer;
  const BURST = DEFAULT_LIMITS.burst;
  const REJECTIONS_ALLOWED = PROTOCOL_BOUNDS.rejectedFactor * BURST;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a flood of fuzz frames: the first burst answered as usual, then rate_limited (with the id a client can read), then close 1008 with nothing after', async () => {
    const bystander = await joinAs(server, 'Dora', uniqueRoom('fz-bystander'));
    // More frames than the bucket and the rejection rule together allow.
    const flood = fc.array(fuzzFrame(MAX_FUZZ_FRAME_BYTES), {
      minLength: BURST + REJECTIONS_ALLOWED + 60,
      maxLength: BURST + REJECTIONS_ALLOWED + 60,
    });
    await checkProperty(
      fc.asyncProperty(flood, (frames) => floodRun(server, frames)),
      Math.max(2, Math.round(RUNS / 30)),
    );
    await bystander.client.expectUsable();
    await expectHealthy(server);
    expect(await internalErrorsCounted(server)).toBe(0);
    await bystander.client.close();
  }, 120_000);

  /**
   * One connection says hello, joins a room and sends `frames` at once: each frame gets either
   * its usual answer or `rate_limited`, in order, until the frame that breaks the rejection rule,
   * which gets no reply; then close 1008. Only frames that always get a reply are sent, so every
   * reply can be matched to its frame.
   */
  async function floodRun(testServer: TestServer, frames: FuzzFrame[]): Promise<void> {
    const tag = `fz${randomUUID().slice(0, 8)}`;
    const values: PlaceholderValues = {
      roomIn: `${tag}-in`,
      roomOut: `${tag}-out`,
      peerRoom: `${tag}-peer`,
      self: `${tag}-nobody`,
      partner: `${tag}-nobody`,
      peer: `${tag}-nobody`,
      callA: `${tag}-call-a`,
      callB: `${tag}-call-b`,
    };
    const model = new FuzzSessionModel({ roomIn: values.roomIn }, DEFAULT_LIMITS);
    const client = await RawClient.connect(testServer.wsUrl());
    try {
      for (const [event, data] of [
        ['hello', { protocol: 1, name: 'Flooder' }],
        ['room.join', { room: values.roomIn }],
      ] as const) {
        const reply = await client.request(event, data);
        expect(reply.event).toBe('ack');
        model.answer(JSON.stringify({ event, data, id: reply.id }));
      }
      const payloads = frames
        .map((frame) => materialize(frame, values))
        .filter((payload) => alwaysAnswered(payload));
      expect(payloads.length).toBeGreaterThan(BURST + REJECTIONS_ALLOWED);
      for (const payload of payloads) client.send(payload);

      expect((await client.waitClosed(REPLY_TIMEOUT_MS * 2)).code).toBe(CloseCode.PolicyViolation);
      const received = client
        .drain()
        .map((raw) => JSON.parse(raw.data.toString('utf8')) as ServerFrame);
      const replies = received.filter((frame) => frame.event === 'ack' || frame.event === 'error');
      const pushed = received.filter((frame) => frame.event !== 'ack' && frame.event !== 'error');
      expect(pushed.filter((frame) => frame.event !== 'chat.message')).toEqual([]);

      let rejected = 0;
      let processedBeforeFirstRejection = 0;
      for (const [index, reply] of replies.entries()) {
        const payload = payloads[index]!;
        const where = `flood frame ${index} ${JSON.stringify(payload.toString()).slice(0, 200)}`;
        if (reply.event === 'error' && reply.data.code === ErrorCode.RateLimited) {
          rejected++;
          expect(reply.id, `id of the rate_limited reply to ${where}`).toBe(rateLimitedId(payload));
          expect(reply.data).not.toHaveProperty('details');
          continue;
        }
        if (rejected === 0) processedBeforeFirstRejection++;
        const expected = model.answer(payload).reply;
        expect(expected, `${where} is always answered`).not.toBeNull();
        expect(replyMismatch(expected!, reply), where).toBeNull();
      }
      // The frame after the last reply broke the rule: it and every frame after it got none.
      expect(rejected).toBe(REJECTIONS_ALLOWED);
      expect(replies.length).toBeLessThan(payloads.length);
      expect(processedBeforeFirstRejection).toBeGreaterThanOrEqual(BURST - 2);
      // The processed sends were stored and broadcast, once each.
      expect(
        pushed.map((frame) => [frame.data.room, frame.data.clientId, frame.data.text]),
      ).toEqual(model.messages.map((message) => [message.room, message.clientId, message.text]));
    } finally {
      await client.close();
    }
  }
});

/**
 * Whether a frame gets a reply whatever the session's state: a binary frame, one the decoder
 * refuses, or one with a valid `id`. (A valid frame without `id` is answered only when refused.)
 */
function alwaysAnswered(payload: string | Buffer): boolean {
  if (Buffer.isBuffer(payload)) return true;
  const decoded = decode(payload);
  return !decoded.ok || decoded.value.id !== undefined;
}
