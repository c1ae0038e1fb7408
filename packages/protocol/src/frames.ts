import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './codes.js';
import type {
  ClientEventData,
  ClientEventInput,
  ClientEventName,
  ServerEventData,
  ServerEventName,
} from './events.js';
import { requestId } from './primitives.js';
import { isWellFormedText } from './text.js';

const plainObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { message: 'must be an object' },
);

/** The envelope every frame on `/ws` is wrapped in, both directions. */
export const envelopeSchema = z.object({
  event: z
    .string()
    .min(1, 'must be a non-empty string')
    .refine(isWellFormedText, 'must be well-formed Unicode without U+0000'),
  data: plainObject,
  id: requestId.optional(),
});
export type Envelope = z.output<typeof envelopeSchema>;

export const errorDataSchema = z.object({
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.object({ fields: z.array(z.string()) }).optional(),
});
export type ErrorData = z.output<typeof errorDataSchema>;

/** A client→server frame after parsing. */
export type ClientFrame = {
  [E in ClientEventName]: { event: E; data: ClientEventData<E>; id?: string };
}[ClientEventName];

/** A client→server frame as the client writes it. */
export type OutgoingClientFrame<E extends ClientEventName = ClientEventName> = {
  event: E;
  data: ClientEventInput<E>;
  id?: string;
};

export type ServerEventFrame = {
  [E in ServerEventName]: { event: E; data: ServerEventData<E> };
}[ServerEventName];

export interface AckFrame<T = unknown> {
  event: 'ack';
  id: string;
  data: T;
}

export interface ErrorFrame {
  event: 'error';
  id?: string;
  data: ErrorData;
}

export type ServerFrame = ServerEventFrame | AckFrame | ErrorFrame;
