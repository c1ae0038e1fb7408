// Senders, on the main thread: members that speak the full protocol (handshake, join, chat.send
// with an id) and count acknowledgements. They receive every broadcast of their room too, which
// they skip without decoding (Connection hands chat.message frames to a no-op).
import { performance } from 'node:perf_hooks';
import { chatText } from './chat-scan.mjs';
import { Connection } from './connection.mjs';

/** Opens one sender per entry of `rooms`, sequentially; each joins its room. */
export async function openSenders(host, port, wire, rooms) {
  const senders = [];
  for (const [i, room] of rooms.entries()) {
    const connection = await Connection.open(host, port, wire, { name: `sender${i}` });
    await connection.request('room.join', { room });
    senders.push({ connection, room });
  }
  return senders;
}

export function closeSenders(senders) {
  for (const sender of senders) sender.connection.close();
}

/**
 * Sends `rate` messages per second for `durationS` seconds, message i from sender i mod K, each a
 * `textBytes`-character text carrying its step, index and send time. Does not wait for acks
 * before the next send (a chat client does not either); returns the count sent and a live
 * tally of acks, errors, and the seq of each acked message.
 */
export async function sendAtRate(senders, { step, rate, durationS, textBytes }) {
  const total = Math.max(1, Math.round(rate * durationS));
  const tally = {
    sent: 0,
    acked: 0,
    errors: 0,
    errorCodes: {},
    ackedSeqs: [],
    ackedRooms: [],
    maxLagMs: 0,
  };
  const intervalMs = 1000 / rate;
  const t0 = performance.now();
  const hardStop = t0 + durationS * 1000 + 5000;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (tally.sent < total && t0 + tally.sent * intervalMs <= now) {
        tally.maxLagMs = Math.max(tally.maxLagMs, now - (t0 + tally.sent * intervalMs));
        const index = tally.sent;
        const sender = senders[index % senders.length];
        const text = chatText(step, index, performance.timeOrigin + performance.now(), textBytes);
        sender.connection.post(
          'chat.send',
          { room: sender.room, clientId: `c${step}-${index}`, text },
          (error, ack) => {
            if (error) {
              tally.errors += 1;
              tally.errorCodes[error.code] = (tally.errorCodes[error.code] ?? 0) + 1;
              return;
            }
            tally.acked += 1;
            tally.ackedSeqs.push(ack.seq);
            tally.ackedRooms.push(sender.room);
          },
        );
        tally.sent += 1;
      }
      if (tally.sent >= total || now > hardStop) return resolve();
      setTimeout(tick, Math.max(0, Math.min(5, t0 + tally.sent * intervalMs - performance.now())));
    };
    tick();
  });
  tally.sendS = (performance.now() - t0) / 1000;
  return tally;
}
