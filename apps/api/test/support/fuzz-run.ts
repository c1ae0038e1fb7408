import { randomUUID } from 'node:crypto';
import {
  CallOutcome,
  DEFAULT_LIMITS,
  MessageKind,
  isTextMessage,
  type ChatMessage,
} from '@duplex/protocol';
import type { TestServer } from './api-server.js';
import { materialize, type FuzzFrame, type PlaceholderValues } from './fuzz-frames.js';
import { FuzzSessionModel, replyMismatch, type ExpectedReply } from './fuzz-model.js';
import { RawClient, type ServerFrame } from './raw-client.js';

/** How long one reply may take on a loaded machine before it counts as never sent. */
export const REPLY_TIMEOUT_MS = 10_000;

/** The well-behaved user the fuzzing session may name in an invite (it never rings: another room). */
export interface Bystander {
  userId: string;
  room: string;
}

/** Tallies over a whole fuzz: which answers were seen, to show the generators reach them all. */
export class FuzzTally {
  readonly codes = new Map<string, number>();
  readonly badFields = new Set<string>();
  frames = 0;

  count(reply: ServerFrame): void {
    const key = reply.event === 'ack' ? 'ack' : String(reply.data?.code);
    this.codes.set(key, (this.codes.get(key) ?? 0) + 1);
    for (const field of reply.data?.details?.fields ?? []) this.badFields.add(String(field));
  }
}

export class FuzzFailure extends Error {}

const HELLO: FuzzFrame = {
  kind: 'script',
  text: '{"event":"hello","data":{"protocol":1,"name":"Fuzzer"},"id":"script-hello"}',
};
const JOIN: FuzzFrame = {
  kind: 'script',
  text: '{"event":"room.join","data":{"room":"@@room-in@@"},"id":"script-join"}',
};
/** The partner rings from the start of every run, so the call states are reached. */
const INVITE: FuzzFrame = {
  kind: 'script',
  text: '{"event":"call.invite","data":{"callId":"@@call-a@@","to":"@@partner@@","room":"@@room-in@@","video":true},"id":"script-invite"}',
};
const BARRIER: FuzzFrame = {
  kind: 'script',
  text: '{"event":"ping","data":{},"id":"script-barrier"}',
};

/**
 * One fuzz run: a fresh connection sends `prefix` (before any hello), a hello, a join and an
 * invite to its partner, then `body` and a barrier ping, all pipelined. Every reply must be the
 * model's, in order; pushed frames must be the ones its own valid frames caused; the partner must
 * receive exactly the invites, byes, messages and typing the model says.
 */
export async function fuzzRun(
  server: TestServer,
  bystander: Bystander,
  prefix: readonly FuzzFrame[],
  body: readonly FuzzFrame[],
  tally: FuzzTally,
): Promise<void> {
  const tag = `fz${randomUUID().slice(0, 8)}`;
  const partner = await RawClient.connect(server.wsUrl());
  const fuzzer = await RawClient.connect(server.wsUrl());
  try {
    const partnerUser = await partner.hello('Partner');
    const values: PlaceholderValues = {
      roomIn: `${tag}-in`,
      roomOut: `${tag}-out`,
      peerRoom: bystander.room,
      self: `${tag}-nobody`,
      partner: partnerUser.userId,
      peer: bystander.userId,
      callA: `${tag}-call-a`,
      callB: `${tag}-call-b`,
    };
    expectAck(await partner.request('room.join', { room: values.roomIn }), 'partner join');

    const model = new FuzzSessionModel(
      { roomIn: values.roomIn, partnerUserId: partnerUser.userId },
      DEFAULT_LIMITS,
    );
    const transcript = new Transcript(model);

    // Before the hello ack, the session's own userId is not known: `self` names nobody then,
    // which the server refuses alike (peer_unavailable).
    const opening = await transcript.exchange(
      fuzzer,
      [...prefix, HELLO, JOIN, INVITE],
      values,
      tally,
    );
    if (opening.closed) return;
    const selfUserId = opening.helloUserId;
    if (selfUserId !== undefined) values.self = selfUserId;
    const rest = await transcript.exchange(fuzzer, [...body, BARRIER], values, tally);
    transcript.verifyOwnMessages();
    if (!rest.closed) await verifyPartner(partner, model, values, selfUserId);
  } finally {
    await Promise.all([fuzzer.close(), partner.close()]);
  }
}

interface ExchangeResult {
  closed: boolean;
  helloUserId?: string;
}

/** The frames sent on the fuzzing connection, with what was expected and what came back. */
class Transcript {
  private readonly lines: string[] = [];
  private readonly ownMessages: ChatMessage[] = [];

  constructor(private readonly model: FuzzSessionModel) {}

  /** Sends `frames` at once and checks every reply, in order. */
  async exchange(
    client: RawClient,
    frames: readonly FuzzFrame[],
    values: PlaceholderValues,
    tally: FuzzTally,
  ): Promise<ExchangeResult> {
    const sent = frames.map((frame) => ({ frame, payload: materialize(frame, values) }));
    const expected: { index: number; reply: ExpectedReply }[] = [];
    let closes: number | undefined;
    for (const [index, { frame, payload }] of sent.entries()) {
      let expectation;
      try {
        expectation = this.model.answer(payload);
      } catch (error) {
        // The model decodes with @duplex/protocol, as the server does: a throw is the decoder's.
        this.fail(
          `@duplex/protocol's decoder threw on frame ${this.lines.length + index} (${frame.kind}: ${preview(payload)}): ${String(error)}`,
        );
      }
      if (expectation.reply) expected.push({ index, reply: expectation.reply });
      if (expectation.closes !== undefined) {
        closes = expectation.closes;
        break;
      }
    }
    const base = this.lines.length;
    for (const { frame, payload } of sent) {
      this.lines.push(`${frame.kind}: ${preview(payload)}`);
      client.send(payload);
    }
    tally.frames += sent.length;

    let helloUserId: string | undefined;
    for (const { index, reply: want } of expected) {
      const got = await this.nextReply(client, `the reply to frame ${base + index}`);
      tally.count(got);
      const problem = replyMismatch(want, got);
      if (problem !== null) {
        this.fail(
          `frame ${base + index} (${this.lines[base + index]}): ${problem}\n` +
            `  expected ${JSON.stringify(want)}\n  got      ${JSON.stringify(got)}`,
        );
      }
      if (got.data?.code === 'internal') this.fail(`frame ${base + index}: internal`);
      if (want.event === 'ack' && want.of === 'hello') helloUserId = got.data.userId as string;
    }
    if (closes !== undefined) {
      const info = await client.waitClosed(REPLY_TIMEOUT_MS);
      if (info.code !== closes) this.fail(`closed ${info.code}, expected ${closes}`);
      return { closed: true };
    }
    return { closed: false, ...(helloUserId !== undefined && { helloUserId }) };
  }

  /** The next ack or error; pushed frames met on the way are checked and kept. */
  private async nextReply(client: RawClient, what: string): Promise<ServerFrame> {
    for (;;) {
      let frame: ServerFrame;
      try {
        frame = await client.next(REPLY_TIMEOUT_MS);
      } catch (error) {
        this.fail(`no ${what}: ${(error as Error).message}`);
      }
      if (frame.event === 'ack' || frame.event === 'error') return frame;
      this.pushed(frame);
    }
  }

  private pushed(frame: ServerFrame): void {
    const room = frame.data?.room as string | undefined;
    const inJoinedRoom = room !== undefined && this.model.everJoined.has(room);
    if (frame.event === 'chat.message' && inJoinedRoom) {
      this.ownMessages.push(frame.data as ChatMessage);
      return;
    }
    if (frame.event.startsWith('presence.') && inJoinedRoom) return;
    this.fail(`unexpected frame ${JSON.stringify(frame).slice(0, 300)}`);
  }

  /** Every first send of a (room, clientId) came back once, in order; nobody else's text. */
  verifyOwnMessages(): void {
    const got = this.ownMessages
      .filter((message) => isTextMessage(message))
      .map((message) => [message.room, message.clientId, message.text]);
    const want = this.model.messages.map((message) => [
      message.room,
      message.clientId,
      message.text,
    ]);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      this.fail(`own chat.message frames ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }

  private fail(message: string): never {
    throw new FuzzFailure(
      `${message}\nframes sent:\n${this.lines.map((line, i) => `  ${i}. ${line}`).join('\n')}`,
    );
  }
}

/**
 * The partner, a member of the run's room, received exactly what the fuzzing session's valid
 * frames caused: its invites and byes, its messages and typing, and the record of each call
 * that ended. Frames sent to it before the fuzzing session's barrier reply are before the reply
 * to the partner's own later ping.
 */
async function verifyPartner(
  partner: RawClient,
  model: FuzzSessionModel,
  values: PlaceholderValues,
  selfUserId: string | undefined,
): Promise<void> {
  const barrier = await partner.request('ping', {}, REPLY_TIMEOUT_MS);
  expectAck(barrier, 'partner barrier');
  const frames = partner.drain().map((raw) => JSON.parse(raw.data.toString('utf8')) as ServerFrame);
  const calls: string[] = [];
  const texts: string[][] = [];
  const typing: boolean[] = [];
  const records: ChatMessage[] = [];
  for (const frame of frames) {
    const fromSelf = selfUserId === undefined || frame.data?.from?.userId === selfUserId;
    switch (frame.event) {
      case 'call.invite':
        if (!fromSelf || frame.data.room !== values.roomIn)
          throw new FuzzFailure(`partner got ${JSON.stringify(frame)}`);
        calls.push(`invite ${frame.data.callId} video=${frame.data.video}`);
        break;
      case 'call.bye':
        if (!fromSelf) throw new FuzzFailure(`partner got ${JSON.stringify(frame)}`);
        calls.push(`bye ${frame.data.callId} ${frame.data.reason}`);
        break;
      case 'chat.message':
        if (frame.data.kind === MessageKind.Call) records.push(frame.data);
        else texts.push([frame.data.room, frame.data.clientId, frame.data.text]);
        break;
      case 'chat.typing':
        typing.push(frame.data.typing);
        break;
      default:
        if (!(frame.event.startsWith('presence.') && frame.data.room === values.roomIn)) {
          throw new FuzzFailure(`partner got ${JSON.stringify(frame).slice(0, 300)}`);
        }
    }
  }
  const wantCalls = model.callFramesToPartner.map((call) =>
    call.event === 'invite'
      ? `invite ${call.callId} video=${call.video}`
      : `bye ${call.callId} ${call.reason}`,
  );
  const wantTexts = model.messages
    .filter((message) => message.room === values.roomIn)
    .map((message) => [message.room, message.clientId, message.text]);
  for (const [what, got, want] of [
    ['call frames', calls, wantCalls],
    ['messages', texts, wantTexts],
    ['typing', typing, model.typingToPartner],
  ] as const) {
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new FuzzFailure(
        `partner's ${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
      );
    }
  }
  // A call's record is stored after its bye was acknowledged: wait for those not in yet.
  const ended = model.callFramesToPartner
    .filter((call) => call.event === 'bye')
    .map((call) => call.callId);
  while (records.length < ended.length) {
    const frame = await partner.nextWhere(
      (candidate) => candidate.event === 'chat.message' && candidate.data.kind === MessageKind.Call,
      REPLY_TIMEOUT_MS,
      'the record of an ended call',
    );
    records.push(frame.data);
  }
  const recorded = records.map((record) =>
    record.kind === MessageKind.Call ? `${record.call.callId} ${record.call.outcome}` : 'text',
  );
  const wantRecords = ended.map((callId) => `${callId} ${CallOutcome.Missed}`);
  if (JSON.stringify(recorded) !== JSON.stringify(wantRecords)) {
    throw new FuzzFailure(
      `call records ${JSON.stringify(recorded)}, expected ${JSON.stringify(wantRecords)}`,
    );
  }
}

function expectAck(frame: ServerFrame, what: string): void {
  if (frame.event !== 'ack') throw new FuzzFailure(`${what} failed: ${JSON.stringify(frame)}`);
}

function preview(payload: string | Buffer): string {
  if (Buffer.isBuffer(payload))
    return `<binary ${payload.length} bytes: ${payload.subarray(0, 24).toString('hex')}>`;
  const json = JSON.stringify(payload);
  return json.length > 240 ? `${json.slice(0, 240)}… (${payload.length} chars)` : json;
}
