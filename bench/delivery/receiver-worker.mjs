// A worker thread holding a share of the room members. It opens them (connect, hello, join),
// counts what they receive by scanning bytes (chat-scan.mjs), and answers the main thread's
// requests with counts and a latency histogram; see receiver-pool.mjs for the requests.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { scanChatMessage } from './chat-scan.mjs';
import { Connection } from './connection.mjs';
import { createHistogram, record } from './latency-histogram.mjs';
import { duplexWire } from './wire-duplex.mjs';
import { socketIoWire } from './wire-socketio.mjs';

const WIRES = { duplex: duplexWire, socketio: socketIoWire };
const { host } = workerData;

/** Every member this worker opened: {name, room, connection, lastSeq, identity, resume, ...}. */
let members = [];
let port = 0;
let wire = duplexWire;
const closeCodes = {};

const measure = {
  step: -1,
  messages: 0,
  histogram: createHistogram(),
  delivered: 0,
  duplicates: 0,
  outOfOrder: 0,
  late: 0,
  /** Whether every seq a member sees is kept (restart scenario: coverage check). */
  keepSeqs: false,
};
const scanned = { seq: 0, step: 0, index: 0, sentAtMs: 0 };

function onChatMessage(member, buf) {
  const receivedAtMs = performance.timeOrigin + performance.now();
  if (!scanChatMessage(buf, scanned)) return;
  if (scanned.seq <= member.lastSeq) measure.outOfOrder += 1;
  else member.lastSeq = scanned.seq;
  if (measure.keepSeqs) member.seqs.add(scanned.seq);
  if (scanned.step !== measure.step || scanned.index >= measure.messages) {
    measure.late += 1;
    return;
  }
  if (member.seen[scanned.index]) {
    measure.duplicates += 1;
    return;
  }
  member.seen[scanned.index] = 1;
  measure.delivered += 1;
  record(measure.histogram, receivedAtMs - scanned.sentAtMs);
}

async function connectMember(member, { since } = {}) {
  const hello = { name: member.name, identity: member.identity, resume: member.resume };
  // After a restart of the api the session is gone (the hello falls back to no resume token);
  // the identity stays valid.
  const connection = await Connection.open(host, port, wire, hello);
  member.connection = connection;
  member.identity = connection.hello.identity ?? member.identity;
  member.resume = connection.hello.resume;
  member.userIds.add(connection.hello.userId);
  connection.onChatMessage = (buf) => onChatMessage(member, buf);
  connection.onClose = (code) => {
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  };
  const join = { room: member.room };
  if (since !== undefined) join.since = since;
  const ack = await connection.request('room.join', join);
  for (const message of ack.history ?? []) member.seqs.add(message.seq);
  member.lastSeq = Math.max(
    member.lastSeq,
    ack.lastSeq ?? 0,
    ...(ack.history ?? []).map((m) => m.seq),
  );
}

/** Runs `task` over `items` with at most `concurrency` in flight; per-item ms, failures. */
async function runBounded(items, concurrency, task) {
  const durations = new Float64Array(items.length);
  let next = 0;
  let failed = 0;
  let firstError = null;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      const t0 = performance.now();
      try {
        await task(items[i]);
        durations[i] = performance.now() - t0;
      } catch (error) {
        durations[i] = NaN;
        failed += 1;
        firstError ??= String(error.message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { durations, failed, firstError };
}

const handlers = {
  async open({ port: serverPort, wireName, list, concurrency }) {
    port = serverPort;
    wire = WIRES[wireName];
    const added = list.map(({ name, room }) => ({
      name,
      room,
      connection: null,
      lastSeq: 0,
      identity: undefined,
      resume: undefined,
      userIds: new Set(),
      seqs: new Set(),
      seen: new Uint8Array(0),
    }));
    members.push(...added);
    const { durations, failed, firstError } = await runBounded(added, concurrency, (member) =>
      connectMember(member),
    );
    return { joinMs: Array.from(durations), failed, firstError };
  },

  measure({ step, messages, keepSeqs = false }) {
    Object.assign(measure, {
      step,
      messages,
      histogram: createHistogram(),
      delivered: 0,
      duplicates: 0,
      outOfOrder: 0,
      late: 0,
      keepSeqs,
    });
    for (const member of members) member.seen = new Uint8Array(messages);
    return {};
  },

  progress() {
    return { delivered: measure.delivered };
  },

  collect() {
    const { histogram, delivered, duplicates, outOfOrder, late } = measure;
    measure.step = -1; // anything arriving from now on is late
    const open = members.filter((m) => m.connection?.ws.isOpen).length;
    return {
      histogram,
      delivered,
      duplicates,
      outOfOrder,
      late,
      open,
      closeCodes: { ...closeCodes },
    };
  },

  /** Reconnects every member after a restart: hello with identity and resume, join with since. */
  async rejoin({ port: serverPort, concurrency }) {
    port = serverPort;
    const { durations, failed, firstError } = await runBounded(members, concurrency, (member) =>
      connectMember(member, { since: member.lastSeq }),
    );
    const sameUser = members.filter((m) => m.userIds.size === 1).length;
    return { joinMs: Array.from(durations), failed, firstError, sameUser };
  },

  /** How many members saw (live or in a join's history) every one of `seqs`. */
  coverage({ seqs }) {
    let complete = 0;
    let missing = 0;
    for (const member of members) {
      const lacking = seqs.filter((seq) => !member.seqs.has(seq)).length;
      if (lacking === 0) complete += 1;
      missing += lacking;
    }
    return { complete, missing, members: members.length };
  },

  async close() {
    for (const member of members) member.connection?.close();
    members = [];
    return {};
  },
};

parentPort.on('message', async ({ requestId, command, args }) => {
  try {
    const result = await handlers[command](args ?? {});
    parentPort.postMessage({ requestId, result });
  } catch (error) {
    parentPort.postMessage({ requestId, error: String(error?.stack ?? error) });
  }
});
