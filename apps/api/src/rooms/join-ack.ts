import {
  MAX_SERVER_FRAME_BYTES,
  PROTOCOL_BOUNDS,
  type AckData,
  type ChatMessage,
} from '@duplex/protocol';

/** Room for the envelope around the ack's data: `{"event":"ack","id":"<64 code points>","data":}`. */
const ENVELOPE_RESERVE_BYTES = 512;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * Bounds a join ack to `maxServerFrameBytes`: a recovery that would not fit falls back to the
 * latest 50 messages, and when even those do not fit, to the newest that do (oldest left out).
 */
export function fitJoinAck(
  ack: AckData<'room.join'>,
  maxFrameBytes: number = MAX_SERVER_FRAME_BYTES,
): AckData<'room.join'> {
  // Nothing to leave out (the usual re-join of a client that missed nothing), so nothing to
  // measure: without history an ack is far below the limit (100 members, each an identity's
  // user id of at most 512 code points and a name of at most 32).
  if (ack.history.length === 0) return ack;
  const budget = maxFrameBytes - ENVELOPE_RESERVE_BYTES - jsonBytes({ ...ack, history: [] });
  const sizes = ack.history.map((message) => jsonBytes(message) + 1);
  if (sizes.reduce((sum, size) => sum + size, 0) <= budget) return ack;

  const latest = Math.min(ack.history.length, PROTOCOL_BOUNDS.historyPageSize);
  let used = 0;
  let first = ack.history.length;
  while (first > ack.history.length - latest && used + sizes[first - 1]! <= budget) {
    first--;
    used += sizes[first]!;
  }
  const history: ChatMessage[] = ack.history.slice(first);
  return { ...ack, history, recovered: false };
}
