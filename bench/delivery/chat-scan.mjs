// Reads what the benchmark needs from a broadcast chat.message frame by scanning its bytes, the
// same way for Duplex's envelope and for Socket.IO's `42["chat.message",{...}]`: the room's
// `seq`, and the generator's text `b|<step>|<index>|<send time, epoch ms>|xxx…`.
const SEQ = Buffer.from('"seq":');
const TEXT = Buffer.from('"text":"b|');
const BAR = 0x7c;

/** The digits at `start` as a number (-1 when there are none). */
function readUint(buf, start) {
  let value = 0;
  let i = start;
  for (; i < buf.length; i += 1) {
    const digit = buf[i] - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return i === start ? -1 : value;
}

/** Fills `out` ({seq, step, index, sentAtMs}); returns false when the frame is not ours. */
export function scanChatMessage(buf, out) {
  const seqAt = buf.indexOf(SEQ);
  const textAt = buf.indexOf(TEXT);
  if (seqAt < 0 || textAt < 0) return false;
  out.seq = readUint(buf, seqAt + SEQ.length);
  const stepAt = textAt + TEXT.length;
  const indexAt = buf.indexOf(BAR, stepAt) + 1;
  const timeAt = buf.indexOf(BAR, indexAt) + 1;
  const timeEnd = buf.indexOf(BAR, timeAt);
  if (indexAt === 0 || timeAt === 0 || timeEnd < 0) return false;
  out.step = readUint(buf, stepAt);
  out.index = readUint(buf, indexAt);
  out.sentAtMs = Number(buf.toString('latin1', timeAt, timeEnd));
  return true;
}

/** The text the generator sends: the fields above, padded with `x` to `bytes` characters. */
export function chatText(step, index, sentAtMs, bytes) {
  const head = `b|${step}|${index}|${sentAtMs.toFixed(3)}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}
