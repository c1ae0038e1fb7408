import { z } from 'zod';
import { CALL_OUTCOMES, MessageKind, type CallOutcome } from './codes.js';
import { PROTOCOL_BOUNDS } from './limits.js';
import {
  codePointLength,
  hasControlCharacter,
  hasControlCharacterOtherThanLineFeedOrTab,
  isWellFormedText,
  utf8ByteLength,
} from './text.js';

/** A string of `min`..`max` code points, taken as sent (not trimmed). */
export function codePoints(min: number, max: number) {
  return z.string().refine(
    (value) => {
      const length = codePointLength(value);
      return length >= min && length <= max;
    },
    { message: `must be ${min} to ${max} characters` },
  );
}

export const requestId = codePoints(1, PROTOCOL_BOUNDS.idMaxChars).refine(isWellFormedText, {
  message: 'must be well-formed Unicode without U+0000',
});

/** Display name: trimmed, 1–32 code points, no control characters; parsed to its trimmed form. */
export const displayName = z
  .string()
  .transform((value) => value.trim())
  .refine(
    (value) => {
      const length = codePointLength(value);
      return length >= 1 && length <= PROTOCOL_BOUNDS.nameMaxChars;
    },
    { message: `must be 1 to ${PROTOCOL_BOUNDS.nameMaxChars} characters after trimming` },
  )
  .refine((value) => !hasControlCharacter(value), {
    message: 'must not contain control characters',
  });

/** Chat text: measured and checked after trimming, kept as sent. */
export function chatText(maxChars: number) {
  return z.string().superRefine((value, ctx) => {
    const trimmed = value.trim();
    const length = codePointLength(trimmed);
    if (length < 1 || length > maxChars) {
      ctx.addIssue({
        code: 'custom',
        message: `must be 1 to ${maxChars} characters after trimming`,
      });
    } else if (hasControlCharacterOtherThanLineFeedOrTab(trimmed)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must not contain control characters other than line feed and tab',
      });
    }
  });
}

export const roomName = z
  .string()
  .regex(PROTOCOL_BOUNDS.roomPattern, 'must match ^[a-z0-9][a-z0-9-]{0,39}$');

export const clientId = codePoints(1, PROTOCOL_BOUNDS.clientIdMaxChars);
export const callId = codePoints(1, PROTOCOL_BOUNDS.callIdMaxChars);
export const reason = codePoints(1, PROTOCOL_BOUNDS.reasonMaxChars);
export const userId = z.string().min(1);
export const sequence = z.number().int().min(1);
/** An integer ≥ 0 of any size (zod's `int()` stops at 2^53 − 1; the protocol sets no bound). */
export const nonNegativeInteger = z.number().min(0).refine(Number.isInteger, 'must be an integer');
/** An ISO-8601 UTC timestamp as `Date.prototype.toISOString()` writes it. */
export const isoTime = z.iso.datetime({ precision: 3 });

export const sdp = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => utf8ByteLength(value) <= PROTOCOL_BOUNDS.sdpMaxBytes, {
    message: `must be at most ${PROTOCOL_BOUNDS.sdpMaxBytes} bytes`,
  });

/** An `RTCIceCandidateInit` a browser can add (with `sdpMid` or `sdpMLineIndex`), or `null`. */
export const iceCandidate = z
  .object({
    candidate: z.string(),
    sdpMid: z.string().nullable().optional(),
    sdpMLineIndex: nonNegativeInteger.nullable().optional(),
    usernameFragment: z.string().nullable().optional(),
  })
  .refine((value) => value.sdpMid != null || value.sdpMLineIndex != null, {
    message: 'must have sdpMid or sdpMLineIndex',
  })
  .nullable();

export const iceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

export const user = z.object({ userId, name: z.string() });

/**
 * `identity` as a `hello` may present it: anything that is not a string of at most 512 code
 * points is read as absent (a new user), never as an error.
 */
export const presentedIdentity = z
  .unknown()
  .transform((value) =>
    typeof value === 'string' &&
    value.length > 0 &&
    codePointLength(value) <= PROTOCOL_BOUNDS.identityMaxChars
      ? value
      : undefined,
  )
  .optional();

export const textMessage = z.object({
  room: roomName,
  seq: sequence,
  kind: z.literal(MessageKind.Text).optional(),
  clientId,
  from: user,
  text: z.string(),
  ts: isoTime,
});

export const callOutcome = z.enum(CALL_OUTCOMES as [CallOutcome, ...CallOutcome[]]);

/** The outcome of a call, stored in its room when it ends. */
export const callRecord = z
  .object({
    callId,
    caller: user,
    callee: user,
    video: z.boolean(),
    outcome: callOutcome,
    startedAt: isoTime,
    answeredAt: isoTime.optional(),
    endedAt: isoTime,
    durationMs: z.number().int().min(0).optional(),
  })
  .superRefine((record, ctx) => {
    // `answeredAt` and `durationMs` are there exactly when the call was accepted.
    const accepted = record.outcome === 'completed' || record.outcome === 'failed';
    for (const key of ['answeredAt', 'durationMs'] as const) {
      if ((record[key] !== undefined) !== accepted) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: accepted
            ? 'required when the call was accepted'
            : 'only when the call was accepted',
        });
      }
    }
  });

export const callMessage = z.object({
  room: roomName,
  seq: sequence,
  kind: z.literal(MessageKind.Call),
  call: callRecord,
  ts: isoTime,
});

export const chatMessage = z.discriminatedUnion('kind', [textMessage, callMessage]);

const KNOWN_KINDS: ReadonlySet<unknown> = new Set([undefined, ...Object.values(MessageKind)]);

/** A list of `ChatMessage`s from the server: messages of a kind this client does not know are skipped. */
export const chatMessageList = z
  .array(z.unknown())
  .transform((items) =>
    items.filter(
      (item) =>
        typeof item !== 'object' ||
        item === null ||
        KNOWN_KINDS.has((item as { kind?: unknown }).kind),
    ),
  )
  .pipe(z.array(chatMessage));

export const limits = z.object({
  maxFrameBytes: z.number().int().positive(),
  messagesPerSecond: z.number().positive(),
  burst: z.number().int().positive(),
  maxTextChars: z.number().int().positive(),
  maxServerFrameBytes: z.number().int().positive(),
});

/** `GET /api/rooms/:room/members`: one page of a room's members, ordered by `userId`. */
export const membersPage = z.object({ online: z.number().int().min(0), members: z.array(user) });

/** The body of every HTTP 400 of the api. */
export const httpError = z.object({ code: z.string(), message: z.string() });
