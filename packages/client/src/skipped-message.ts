import { MessageKind, schemas } from '@duplex/protocol';

/** A `chat.message` of a kind this client does not know: not shown, its `seq` still taken. */
export interface SkippedMessage {
  room: string;
  seq: number;
  kind: string;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(Object.values(MessageKind));

/**
 * The room and `seq` of a server frame that is a `chat.message` of an unknown `kind`, else
 * `null`. Such a message is skipped, but its `seq` counts: without it, every later message
 * would wait behind a gap that never fills.
 */
export function skippedChatMessage(raw: string): SkippedMessage | null {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof frame !== 'object' || frame === null) return null;
  const { event, data } = frame as { event?: unknown; data?: unknown };
  if (event !== 'chat.message' || typeof data !== 'object' || data === null) return null;
  const { room, seq, kind } = data as { room?: unknown; seq?: unknown; kind?: unknown };
  if (typeof kind !== 'string' || KNOWN_KINDS.has(kind)) return null;
  const roomName = schemas.roomName.safeParse(room);
  const sequence = schemas.sequence.safeParse(seq);
  if (!roomName.success || !sequence.success) return null;
  return { room: roomName.data, seq: sequence.data, kind };
}
