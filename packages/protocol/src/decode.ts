import type { z } from 'zod';
import { ErrorCode, PROTOCOL_VERSION } from './codes.js';
import {
  clientEventSchemas,
  isClientEventName,
  isServerEventName,
  serverEventSchemas,
  type ClientEventData,
  type ClientEventName,
  type ClientEventSchemas,
} from './events.js';
import {
  envelopeSchema,
  errorDataSchema,
  type AckFrame,
  type ClientFrame,
  type ErrorFrame,
  type ServerEventFrame,
} from './frames.js';
import { requestId } from './primitives.js';
import { containsIllFormedText } from './text.js';

/** Why a frame was refused: what the `error` frame answering it carries. */
export interface ProtocolFailure {
  code: ErrorCode;
  message: string;
  /** Failing keys of `data` (or `id`, `event`, `data` for envelope errors); `bad_message` only. */
  fields?: string[];
  /** The request id to answer with, when the frame carried a valid one. */
  id?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolFailure };

export interface DecodedEnvelope {
  event: ClientEventName;
  data: Record<string, unknown>;
  id?: string;
}

const failure = (error: ProtocolFailure): { ok: false; error: ProtocolFailure } => ({
  ok: false,
  error,
});

function failingFields(error: z.ZodError): string[] {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    const first = issue.path[0];
    if (first !== undefined) fields.add(String(first));
  }
  return [...fields];
}

function describeIssues(prefix: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path} ${issue.message}` : issue.message;
  });
  return `${prefix}: ${parts.join('; ')}`;
}

function parseJsonObject(text: string): Decoded<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failure({ code: ErrorCode.BadJson, message: 'Frame is not valid JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return failure({ code: ErrorCode.BadJson, message: 'Frame is not a JSON object' });
  }
  return { ok: true, value: parsed as Record<string, unknown> };
}

/**
 * Parses the JSON, the envelope and the event name of a client frame, in that order.
 * `data` is left unchecked: the caller checks the session before the data schema.
 */
export function decodeEnvelope(text: string): Decoded<DecodedEnvelope> {
  const json = parseJsonObject(text);
  if (!json.ok) return json;

  const idCheck = requestId.safeParse(json.value.id);
  const validId = idCheck.success ? idCheck.data : undefined;

  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) {
    return failure({
      code: ErrorCode.BadMessage,
      message: describeIssues('Invalid envelope', envelope.error),
      fields: failingFields(envelope.error),
      ...(validId !== undefined && { id: validId }),
    });
  }
  const { event, data, id } = envelope.data;
  if (hasIllFormedExtraKey(json.value)) {
    return failure({
      code: ErrorCode.BadMessage,
      message: 'Invalid envelope: strings must be well-formed Unicode without U+0000',
      fields: ['data'],
      ...(id !== undefined && { id }),
    });
  }
  if (!isClientEventName(event)) {
    return failure({
      code: ErrorCode.UnknownEvent,
      message: `Unknown event "${event.slice(0, 64)}"`,
      ...(id !== undefined && { id }),
    });
  }
  return { ok: true, value: { event, data, ...(id !== undefined && { id }) } };
}

/** Validates `data` for `event`. For `hello`, the protocol version is checked before the rest. */
export function parseEventData<E extends ClientEventName>(
  event: E,
  data: Record<string, unknown>,
  schemas: ClientEventSchemas = clientEventSchemas,
): Decoded<ClientEventData<E>> {
  if (event === 'hello') {
    const protocol = data.protocol;
    if (Number.isInteger(protocol) && protocol !== PROTOCOL_VERSION) {
      return failure({
        code: ErrorCode.UnsupportedProtocol,
        message: `Protocol ${String(protocol)} is not supported; this server speaks ${PROTOCOL_VERSION}`,
      });
    }
  }
  const schema = schemas[event] as z.ZodObject;
  const illFormed = illFormedFields(data, schema.shape);
  const result = schema.safeParse(data);
  if (!result.success || illFormed.length > 0) {
    const fields = new Set(illFormed);
    if (!result.success) for (const field of failingFields(result.error)) fields.add(field);
    return failure({
      code: ErrorCode.BadMessage,
      message: result.success
        ? `Invalid ${event}: strings must be well-formed Unicode without U+0000`
        : describeIssues(`Invalid ${event}`, result.error),
      fields: [...fields],
    });
  }
  return { ok: true, value: result.data as ClientEventData<E> };
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['event', 'data', 'id']);

/** Whether a key of the envelope other than `event`, `data` and `id` holds an ill-formed string. */
function hasIllFormedExtraKey(envelope: Record<string, unknown>): boolean {
  return Object.entries(envelope).some(
    ([key, value]) => !ENVELOPE_KEYS.has(key) && containsIllFormedText({ [key]: value }),
  );
}

/**
 * Keys of `data` holding a lone surrogate or a NUL anywhere inside; a key the event does not
 * define is reported as `data`.
 */
function illFormedFields(data: Record<string, unknown>, shape: Record<string, unknown>): string[] {
  const fields = new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    if (!containsIllFormedText({ [key]: value })) continue;
    fields.add(Object.hasOwn(shape, key) ? key : 'data');
  }
  return [...fields];
}

/** Decodes a client frame completely (no session rules). Never throws. */
export function decode(
  text: string,
  schemas: ClientEventSchemas = clientEventSchemas,
): Decoded<ClientFrame> {
  const envelope = decodeEnvelope(text);
  if (!envelope.ok) return envelope;
  const { event, data, id } = envelope.value;
  const parsed = parseEventData(event, data, schemas);
  if (!parsed.ok) {
    return failure({ ...parsed.error, ...(id !== undefined && { id }) });
  }
  return {
    ok: true,
    value: { event, data: parsed.value, ...(id !== undefined && { id }) } as ClientFrame,
  };
}

export type DecodedServerFrame =
  | { kind: 'ack'; frame: AckFrame }
  | { kind: 'error'; frame: ErrorFrame }
  | { kind: 'event'; frame: ServerEventFrame };

/** Decodes a server→client frame. Never throws; an unrecognised frame is a failure. */
export function decodeServerFrame(text: string): Decoded<DecodedServerFrame> {
  const json = parseJsonObject(text);
  if (!json.ok) return json;
  const { event, data, id } = json.value;
  if (event === 'ack') {
    const ack = envelopeSchema.safeParse(json.value);
    if (ack.success && ack.data.id !== undefined) {
      return {
        ok: true,
        value: { kind: 'ack', frame: { event, id: ack.data.id, data: ack.data.data } },
      };
    }
  }
  if (event === 'error') {
    const errorData = errorDataSchema.safeParse(data);
    if (errorData.success && (id === undefined || typeof id === 'string')) {
      const frame: ErrorFrame = { event, data: errorData.data, ...(id !== undefined && { id }) };
      return { ok: true, value: { kind: 'error', frame } };
    }
  }
  if (typeof event === 'string' && isServerEventName(event)) {
    const parsed = serverEventSchemas[event].safeParse(data);
    if (parsed.success) {
      return {
        ok: true,
        value: { kind: 'event', frame: { event, data: parsed.data } as ServerEventFrame },
      };
    }
    return failure({
      code: ErrorCode.BadMessage,
      message: describeIssues(`Invalid ${event}`, parsed.error),
      fields: failingFields(parsed.error),
    });
  }
  return failure({ code: ErrorCode.BadMessage, message: 'Unrecognised server frame' });
}

/** Builds the `error` frame that answers a refused client frame. */
export function errorFrame(error: ProtocolFailure): ErrorFrame {
  const fields = error.code === ErrorCode.BadMessage ? (error.fields ?? []) : [];
  const data =
    fields.length > 0
      ? { code: error.code, message: error.message, details: { fields } }
      : { code: error.code, message: error.message };
  return { event: 'error', ...(error.id !== undefined && { id: error.id }), data };
}
