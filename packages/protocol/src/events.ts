import { z } from 'zod';
import { DEFAULT_LIMITS, PROTOCOL_BOUNDS, type Limits } from './limits.js';
import {
  callId,
  chatMessage,
  chatMessageList,
  chatText,
  clientId,
  displayName,
  iceCandidate,
  iceServer,
  isoTime,
  limits,
  nonNegativeInteger,
  presentedIdentity,
  reason,
  roomName,
  sdp,
  sequence,
  user,
  userId,
} from './primitives.js';

const empty = z.object({});

/** Schemas of `data` for every event a client may send, built for the given limits. */
export function createClientEventSchemas(config: Pick<Limits, 'maxTextChars'> = DEFAULT_LIMITS) {
  return {
    hello: z.object({
      protocol: z.number().int(),
      name: displayName,
      resume: z.string().min(1).optional(),
      identity: presentedIdentity,
    }),
    ping: empty,
    'ice.refresh': empty,
    'room.join': z.object({ room: roomName, since: nonNegativeInteger.optional() }),
    'room.leave': z.object({ room: roomName }),
    'chat.send': z.object({ room: roomName, clientId, text: chatText(config.maxTextChars) }),
    'chat.typing': z.object({ room: roomName, typing: z.boolean() }),
    /** `sdp` (r2): the caller's first offer, rung with the invite. */
    'call.invite': z.object({
      callId,
      to: userId,
      room: roomName,
      video: z.boolean(),
      sdp: sdp.optional(),
    }),
    /** `sdp` (r2): the answer to the offer the invite carried. */
    'call.accept': z.object({ callId, sdp: sdp.optional() }),
    'call.decline': z.object({ callId, reason: reason.optional() }),
    'call.offer': z.object({ callId, sdp }),
    'call.answer': z.object({ callId, sdp }),
    'call.candidate': z.object({ callId, candidate: iceCandidate }),
    'call.bye': z.object({ callId, reason: reason.optional() }),
    'call.media': z.object({ callId, audio: z.boolean(), video: z.boolean() }),
  } as const;
}

export const clientEventSchemas = createClientEventSchemas();
export type ClientEventSchemas = typeof clientEventSchemas;
export type ClientEventName = keyof ClientEventSchemas;
export const CLIENT_EVENTS = Object.keys(clientEventSchemas) as ClientEventName[];
/** Parsed `data` of a client event (names trimmed). */
export type ClientEventData<E extends ClientEventName> = z.output<ClientEventSchemas[E]>;
/** `data` as a client writes it. */
export type ClientEventInput<E extends ClientEventName> = z.input<ClientEventSchemas[E]>;

export function isClientEventName(name: string): name is ClientEventName {
  return Object.hasOwn(clientEventSchemas, name);
}

/** Schemas of the `data` of the `ack` that answers each client event. */
export const ackSchemas = {
  hello: z.object({
    userId,
    name: z.string(),
    /** Keep it and present it in every later `hello`: it makes the same user again. */
    identity: z.string().min(1),
    resume: z.string(),
    /** Whether `resume` restored a session. */
    resumed: z.boolean(),
    /** Rooms the session is a member of: a resumed client re-joins them with `since`. */
    rooms: z.array(roomName),
    iceServers: z.array(iceServer),
    limits,
    serverTime: isoTime,
  }),
  ping: z.object({ serverTime: isoTime }),
  'ice.refresh': z.object({ iceServers: z.array(iceServer) }),
  'room.join': z.object({
    room: roomName,
    members: z.array(user),
    online: z.number().int().min(0),
    history: chatMessageList,
    lastSeq: z.number().int().min(0),
    recovered: z.boolean(),
  }),
  'room.leave': empty,
  'chat.send': z.object({ seq: sequence, ts: isoTime }),
  'chat.typing': empty,
  'call.invite': empty,
  'call.accept': empty,
  'call.decline': empty,
  'call.offer': empty,
  'call.answer': empty,
  'call.candidate': empty,
  'call.bye': empty,
  'call.media': empty,
} as const satisfies Record<ClientEventName, z.ZodType>;
export type AckData<E extends ClientEventName> = z.output<(typeof ackSchemas)[E]>;

const presence = z.object({ room: roomName, user, online: z.number().int().min(0) });

/** Schemas of the `data` of every event the server pushes (acks and errors excluded). */
export const serverEventSchemas = {
  'presence.joined': presence,
  'presence.left': presence,
  /** A member's name changed (a `hello` of the user under a new name). */
  'presence.renamed': z.object({ room: roomName, user }),
  /**
   * Presence changes of one room collected over its coalescing window: at most
   * `presenceDiffMaxUsers` users named per list, the latest; the counts are the full numbers.
   */
  'presence.diff': z.object({
    room: roomName,
    joined: z.array(user).max(PROTOCOL_BOUNDS.presenceDiffMaxUsers),
    left: z.array(user).max(PROTOCOL_BOUNDS.presenceDiffMaxUsers),
    joinedCount: z.number().int().min(0),
    leftCount: z.number().int().min(0),
    online: z.number().int().min(0),
  }),
  'chat.message': chatMessage,
  'chat.typing': z.object({ room: roomName, user, typing: z.boolean() }),
  'call.invite': z.object({
    callId,
    room: roomName,
    from: user,
    video: z.boolean(),
    sdp: sdp.optional(),
  }),
  'call.accept': z.object({ callId, from: user, sdp: sdp.optional() }),
  'call.decline': z.object({ callId, from: user, reason }),
  'call.offer': z.object({ callId, from: user, sdp }),
  'call.answer': z.object({ callId, from: user, sdp }),
  'call.candidate': z.object({ callId, from: user, candidate: iceCandidate }),
  'call.bye': z.object({ callId, from: user, reason }),
  'call.media': z.object({ callId, from: user, audio: z.boolean(), video: z.boolean() }),
} as const;
export type ServerEventSchemas = typeof serverEventSchemas;
export type ServerEventName = keyof ServerEventSchemas;
export const SERVER_EVENTS = Object.keys(serverEventSchemas) as ServerEventName[];
export type ServerEventData<E extends ServerEventName> = z.output<ServerEventSchemas[E]>;

export function isServerEventName(name: string): name is ServerEventName {
  return Object.hasOwn(serverEventSchemas, name);
}
