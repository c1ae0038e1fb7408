import {
  CallEndReason,
  CloseCode,
  ErrorCode,
  ackSchemas,
  createClientEventSchemas,
  decodeEnvelope,
  parseEventData,
  schemas,
  type ClientEventData,
  type ClientEventName,
  type ClientEventSchemas,
  type Limits,
} from '@duplex/protocol';

/**
 * What the server must answer to each frame of one fuzzing connection, from PROTOCOL.md's
 * order of checks: binary, JSON, envelope, event name, session, data schema, membership or
 * party, state. The decoding steps use `@duplex/protocol`'s decoder (tested against the spec on
 * its own); the session, rooms and calls are modelled here. The rate limit is not modelled:
 * the fuzzing server's limit is far above what a run sends (see {@link rateLimitedId} for the
 * case where it is not).
 */

/** The reply a frame must get; `null` when it must get none (a success without `id`). */
export type ExpectedReply =
  | { event: 'ack'; id: string; of: ClientEventName; check?: (data: unknown) => string | null }
  | {
      event: 'error';
      code: ErrorCode;
      id?: string;
      /** `details.fields` of a `bad_message`; absent: no `details` at all. */
      fields?: readonly string[];
    };

export interface Expectation {
  reply: ExpectedReply | null;
  /** The close code the frame causes. */
  closes?: number;
}

/** The values of one run the model needs (the run's placeholders, filled in). */
export interface RunWorld {
  roomIn: string;
  /** The member of `roomIn` an invite can ring; none when the run has no partner. */
  partnerUserId?: string;
}

export interface SentMessage {
  room: string;
  clientId: string;
  text: string;
}

/** A call frame the partner must receive. */
export type PartnerCallFrame =
  | { event: 'invite'; callId: string; video: boolean }
  | { event: 'bye'; callId: string; reason: string };

type SessionState = 'unauthenticated' | 'authenticated' | 'closed';

/** A call the fuzzing session placed; the partner never answers, so it rings until a `bye`. */
interface RingingCall {
  room: string;
}

/**
 * The fuzzing connection as the server must see it, and the frames its partner must receive.
 * Each `answer` is one transition.
 */
export class FuzzSessionModel {
  state: SessionState = 'unauthenticated';
  /** Rooms the session is a member of now. */
  readonly rooms = new Set<string>();
  /** Rooms it has been a member of: presence frames may come from these. */
  readonly everJoined = new Set<string>();
  /** First sends of each (room, clientId): each is broadcast once, in this order. */
  readonly messages: SentMessage[] = [];
  /** `chat.typing` accepted in the partner's room, in order. */
  readonly typingToPartner: boolean[] = [];
  readonly callFramesToPartner: PartnerCallFrame[] = [];
  private readonly sentKeys = new Set<string>();
  private readonly calls = new Map<string, RingingCall>();
  private readonly schemas: ClientEventSchemas;

  constructor(
    private readonly world: RunWorld,
    limits: Pick<Limits, 'maxTextChars'>,
  ) {
    this.schemas = createClientEventSchemas(limits);
  }

  /** The expected answer to `payload` (a Buffer is a binary frame); applies its effects. */
  answer(payload: string | Buffer): Expectation {
    if (this.state === 'closed') return { reply: null };
    if (Buffer.isBuffer(payload)) return { reply: error(ErrorCode.BadMessage) };

    const envelope = decodeEnvelope(payload);
    if (!envelope.ok) {
      const { code, id, fields } = envelope.error;
      return { reply: error(code, id, code === ErrorCode.BadMessage ? fields : undefined) };
    }
    const { event, data, id } = envelope.value;
    if (event === 'hello' && this.state === 'authenticated') {
      return { reply: error(ErrorCode.BadMessage, id) };
    }
    if (event !== 'hello' && this.state === 'unauthenticated') {
      return { reply: error(ErrorCode.Unauthenticated, id) };
    }
    const parsed = parseEventData(event, data, this.schemas);
    if (!parsed.ok) {
      const { code, fields } = parsed.error;
      if (code === ErrorCode.UnsupportedProtocol) {
        this.state = 'closed';
        return { reply: error(code, id), closes: CloseCode.UnsupportedProtocol };
      }
      return { reply: error(code, id, code === ErrorCode.BadMessage ? fields : undefined) };
    }
    const outcome = this.handle(event, parsed.value as ClientEventData<typeof event>);
    if (outcome.kind === 'refused') return { reply: error(outcome.code, id, outcome.fields) };
    return {
      reply:
        id === undefined
          ? null
          : { event: 'ack', id, of: event, ...(outcome.check && { check: outcome.check }) },
    };
  }

  private handle<E extends ClientEventName>(event: E, data: ClientEventData<E>): Outcome {
    switch (event) {
      case 'hello':
        return this.hello(data as ClientEventData<'hello'>);
      case 'ping':
      case 'ice.refresh':
        return accepted();
      case 'room.join':
        return this.join(data as ClientEventData<'room.join'>);
      case 'room.leave':
        return this.leave(data as ClientEventData<'room.leave'>);
      case 'chat.send':
        return this.send(data as ClientEventData<'chat.send'>);
      case 'chat.typing':
        return this.typing(data as ClientEventData<'chat.typing'>);
      case 'call.invite':
        return this.invite(data as ClientEventData<'call.invite'>);
      case 'call.bye':
        return this.bye(data as ClientEventData<'call.bye'>);
      default:
        // accept, decline (the callee's), offer, answer, candidate, media (once accepted):
        // a ringing call of this caller allows none of them.
        return this.calls.has((data as { callId: string }).callId)
          ? refused(ErrorCode.BadState)
          : refused(ErrorCode.NotInCall);
    }
  }

  private hello(data: ClientEventData<'hello'>): Outcome {
    if (data.resume !== undefined) return refused(ErrorCode.ResumeExpired);
    this.state = 'authenticated';
    return accepted((ack) => {
      const hello = ack as { name: string; resumed: boolean; rooms: string[] };
      if (hello.name !== data.name)
        return `name ${JSON.stringify(hello.name)}, sent ${JSON.stringify(data.name)}`;
      if (hello.resumed || hello.rooms.length > 0)
        return 'a new session, yet resumed or with rooms';
      return null;
    });
  }

  private join({ room }: ClientEventData<'room.join'>): Outcome {
    this.rooms.add(room);
    this.everJoined.add(room);
    return accepted((ack) =>
      (ack as { room: string }).room === room ? null : `the ack of another room than ${room}`,
    );
  }

  private leave({ room }: ClientEventData<'room.leave'>): Outcome {
    if (!this.rooms.delete(room)) return refused(ErrorCode.NotInRoom);
    return accepted();
  }

  private send({ room, clientId, text }: ClientEventData<'chat.send'>): Outcome {
    if (!this.rooms.has(room)) return refused(ErrorCode.NotInRoom);
    const key = JSON.stringify([room, clientId]);
    if (!this.sentKeys.has(key)) {
      this.sentKeys.add(key);
      this.messages.push({ room, clientId, text });
    }
    return accepted();
  }

  private typing({ room, typing }: ClientEventData<'chat.typing'>): Outcome {
    if (!this.rooms.has(room)) return refused(ErrorCode.NotInRoom);
    if (room === this.world.roomIn) this.typingToPartner.push(typing);
    return accepted();
  }

  /** The partner (in `roomIn` only, never in a call but this session's) is the only user that can ring. */
  private invite({ callId, to, room, video }: ClientEventData<'call.invite'>): Outcome {
    if (this.calls.has(callId)) return refused(ErrorCode.BadMessage, ['callId']);
    const rings =
      this.world.partnerUserId !== undefined &&
      to === this.world.partnerUserId &&
      room === this.world.roomIn &&
      this.rooms.has(room);
    if (!rings) return refused(ErrorCode.PeerUnavailable);
    if (this.calls.size > 0) return refused(ErrorCode.Busy);
    this.calls.set(callId, { room });
    this.callFramesToPartner.push({ event: 'invite', callId, video });
    return accepted();
  }

  /** The caller cancels its ringing call. */
  private bye({ callId, reason }: ClientEventData<'call.bye'>): Outcome {
    if (!this.calls.delete(callId)) return refused(ErrorCode.NotInCall);
    this.callFramesToPartner.push({ event: 'bye', callId, reason: reason ?? CallEndReason.Hangup });
    return accepted();
  }
}

type Outcome =
  | { kind: 'accepted'; check?: (data: unknown) => string | null }
  | { kind: 'refused'; code: ErrorCode; fields?: readonly string[] };

const accepted = (check?: (data: unknown) => string | null): Outcome => ({
  kind: 'accepted',
  ...(check && { check }),
});
const refused = (code: ErrorCode, fields?: readonly string[]): Outcome => ({
  kind: 'refused',
  code,
  ...(fields && { fields }),
});

function error(code: ErrorCode, id?: string, fields?: readonly string[]): ExpectedReply {
  return {
    event: 'error',
    code,
    ...(id !== undefined && { id }),
    ...(fields !== undefined && fields.length > 0 && { fields }),
  };
}

/**
 * The `id` a `rate_limited` reply carries: the frame's top-level `id` when the frame is a JSON
 * object and that `id` is valid, else none (read here with `JSON.parse`, as a client would).
 */
export function rateLimitedId(payload: string | Buffer): string | undefined {
  if (Buffer.isBuffer(payload)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const id = schemas.requestId.safeParse((parsed as { id?: unknown }).id);
  return id.success ? id.data : undefined;
}

/** Whether an ack's data matches the protocol's schema for its event. */
export function ackShapeProblem(event: ClientEventName, data: unknown): string | null {
  const result = ackSchemas[event].safeParse(data);
  return result.success ? null : `ack of ${event} off schema: ${result.error.issues[0]?.message}`;
}

/** Describes how a reply differs from the expected one, or `null` when it matches. */
export function replyMismatch(
  expected: ExpectedReply,
  actual: {
    event: string;
    id?: unknown;
    data?: { code?: unknown; message?: unknown; details?: unknown };
  },
): string | null {
  if (actual.event !== expected.event) return `event ${actual.event}, expected ${expected.event}`;
  if (actual.id !== expected.id)
    return `id ${JSON.stringify(actual.id)}, expected ${JSON.stringify(expected.id)}`;
  if (expected.event === 'ack') {
    return ackShapeProblem(expected.of, actual.data) ?? expected.check?.(actual.data) ?? null;
  }
  const data = actual.data ?? {};
  if (data.code !== expected.code) return `code ${String(data.code)}, expected ${expected.code}`;
  if (typeof data.message !== 'string' || data.message.length === 0) return 'no message';
  if (expected.fields === undefined) {
    return 'details' in data ? `details ${JSON.stringify(data.details)}, expected none` : null;
  }
  const fields = (data.details as { fields?: unknown } | undefined)?.fields;
  if (!Array.isArray(fields))
    return `no details.fields, expected ${JSON.stringify(expected.fields)}`;
  const sorted = (list: readonly unknown[]) => JSON.stringify([...list].map(String).sort());
  return sorted(fields) === sorted(expected.fields)
    ? null
    : `fields ${sorted(fields)}, expected ${sorted(expected.fields)}`;
}
