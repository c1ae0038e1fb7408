export * from './codes.js';
export * from './limits.js';
export * from './text.js';
export * from './events.js';
export * from './frames.js';
export * from './decode.js';
export * as schemas from './primitives.js';
export type { Limits } from './limits.js';

import type { z } from 'zod';
import type { chatMessage, iceCandidate, iceServer, user } from './primitives.js';
export type User = z.output<typeof user>;
export type ChatMessage = z.output<typeof chatMessage>;
export type IceServer = z.output<typeof iceServer>;
export type IceCandidate = z.output<typeof iceCandidate>;
