import { isTextMessage, type ChatMessage } from '@duplex/protocol';

/**
 * Merges `incoming` into `held` (both of one room, text and call messages alike): one message
 * per `seq`, in increasing `seq`.
 * A message already held is replaced by the incoming copy (the server's copy wins over one the
 * client built from a send ack). Returns `held` itself when nothing changed.
 */
export function mergeMessages(
  held: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): readonly ChatMessage[] {
  if (incoming.length === 0) return held;
  const bySeq = new Map<number, ChatMessage>();
  for (const message of held) bySeq.set(message.seq, message);
  let changed = false;
  for (const message of incoming) {
    const existing = bySeq.get(message.seq);
    if (existing && sameMessage(existing, message)) continue;
    bySeq.set(message.seq, message);
    changed = true;
  }
  if (!changed) return held;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The highest seq reachable from `lastSeq` without a gap through `messages` (sorted by seq) and
 * the `skipped` seqs (messages of a kind this client does not show): messages past a gap are
 * held but do not count until the gap is filled.
 */
export function contiguousSeq(
  lastSeq: number,
  messages: readonly ChatMessage[],
  skipped: ReadonlySet<number> = NONE,
): number {
  let seq = lastSeq;
  const passSkipped = (): void => {
    while (skipped.has(seq + 1)) seq++;
  };
  passSkipped();
  for (const message of messages) {
    if (message.seq <= seq) continue;
    if (message.seq !== seq + 1) break;
    seq = message.seq;
    passSkipped();
  }
  return seq;
}

const NONE: ReadonlySet<number> = new Set();

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  if (a.seq !== b.seq || a.ts !== b.ts) return false;
  if (isTextMessage(a) && isTextMessage(b)) {
    return (
      a.clientId === b.clientId &&
      a.text === b.text &&
      a.from.userId === b.from.userId &&
      a.from.name === b.from.name
    );
  }
  if (!isTextMessage(a) && !isTextMessage(b)) {
    return a.call.callId === b.call.callId && a.call.outcome === b.call.outcome;
  }
  return false;
}
