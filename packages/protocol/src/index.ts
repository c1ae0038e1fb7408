export * from './codes.js';
export * from './limits.js';
export * from './text.js';
export * from './events.js';
export * from './frames.js';
export * from './decode.js';
export * from './ticker.js';
export * as schemas from './primitives.js';
export type { Limits } from './limits.js';

import type { z } from 'zod';
import type {
  callMessage,
  callRecord,
  chatMessage,
  iceCandidate,
  iceServer,
  membersPage,
  textMessage,
  user,
} from './primitives.js';
export type User = z.output<typeof user>;
export type ChatMessage = z.output<typeof chatMessage>;
export type TextMessage = z.output<typeof textMessage>;
export type CallMessage = z.output<typeof callMessage>;
export type CallRecord = z.output<typeof callRecord>;
export type MembersPage = z.output<typeof membersPage>;
export type IceServer = z.output<typeof iceServer>;
export type IceCandidate = z.output<typeof iceCandidate>;

/** Whether a `ChatMessage` is a text message (`kind` absent or `"text"`). */
export function isTextMessage(message: ChatMessage): message is TextMessage {
  return message.kind === undefined || message.kind === 'text';
}
