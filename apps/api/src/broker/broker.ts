import type { ServerEventFrame } from '@duplex/protocol';

export interface PublishOptions {
  /** Leave this user out (typing and presence go to the others only). */
  exceptUserId?: string;
}

/** Fan-out of room events to every member's connection, wherever it is connected. */
export interface Broker {
  publish(room: string, frame: ServerEventFrame, options?: PublishOptions): void;
}

export const BROKER = Symbol('BROKER');
