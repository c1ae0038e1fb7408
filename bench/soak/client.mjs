// One load process of the soak (bench/soak/run.mjs forks a few of them, each with a raised
// `ulimit -n`): opens its share of idle WebSocket connections through nginx, each sending hello
// and joining one room, and keeps them open. `ws` answers the server's pings by itself. Counts
// what happens to the connections (closes nobody asked for, error frames) and which chat
// messages reached them. Driven by run.mjs over IPC; prints nothing on its own.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 30_000;
const MAX_EVENTS = 50; // lost-connection and failure examples kept for the report

/** Every connection of this process, in the order they were given. */
const clients = [];
let chatRooms = new Set();
const S = {
  connectFailures: 0,
  failureReasons: {},
  failureExamples: [],
  lost: 0,
  lostByCode: {},
  lostEvents: [],
  errorFrames: {},
  unexpectedChat: 0,
  duplicates: 0,
  delivered: 0,
  latencies: [],
};

const send = (message) => process.send?.(message);
const count = (map, key) => {
  map[key] = (map[key] ?? 0) + 1;
};

function openFiles() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return line ? Number(line.split(/\s+/)[3]) : NaN;
}

/** Opens one connection: upgrade through nginx, hello, room.join. Resolves when joined or failed. */
function open(spec, url) {
  return new Promise((resolve) => {
    const c = {
      i: spec.i,
      room: spec.room,
      ws: null,
      joined: false,
      closing: false,
      closed: false,
      lostAt: null,
      seqs: chatRooms.has(spec.room) ? new Set() : null,
    };
    clients.push(c);
    const started = performance.now();
    let settled = false;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        c.closing = true; // our own doing from here on: not a lost connection
        S.connectFailures += 1;
        const reason = String(error.message ?? error).slice(0, 120);
        count(S.failureReasons, reason.replace(/\d+/g, 'N'));
        if (S.failureExamples.length < MAX_EVENTS) S.failureExamples.push({ i: c.i, reason });
        try {
          c.ws.terminate();
        } catch {
          // already gone
        }
      } else {
        c.joined = true;
        c.joinMs = performance.now() - started;
      }
      resolve(c);
    };
    const timer = setTimeout(() => finish(new Error('no room.join ack in time')), JOIN_TIMEOUT_MS);
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    c.ws = ws;
    ws.on('open', () => {
      ws.send(JSON.stringify({ event: 'hello', id: 'h', data: { protocol: 1, name: spec.name } }));
    });
    ws.on('message', (raw) => onFrame(c, raw, finish));
    ws.on('error', (error) => {
      c.lastError = error.message;
      finish(error);
    });
    ws.on('close', (code, reason) => {
      c.closed = true;
      if (!settled) {
        finish(new Error(`closed ${code} before joining`));
      } else if (!c.closing) {
        S.lost += 1;
        c.lostAt = Date.now();
        count(S.lostByCode, String(code));
        if (S.lostEvents.length < MAX_EVENTS) {
          S.lostEvents.push({
            i: c.i,
            room: c.room,
            code,
            reason: reason.toString().slice(0, 120),
            error: c.lastError,
            at: new Date(c.lostAt).toISOString(),
          });
        }
      }
    });
  });
}

function onFrame(c, raw, finish) {
  let frame;
  try {
    frame = JSON.parse(raw.toString());
  } catch {
    count(S.errorFrames, 'unparsable frame');
    return;
  }
  const { event, id, data } = frame;
  if (event === 'chat.message') {
    // text: "soak|<chatter>|<n>|<Date.now() at send>"
    if (!c.seqs || data?.room !== c.room) {
      S.unexpectedChat += 1;
      return;
    }
    if (c.seqs.has(data.seq)) {
      S.duplicates += 1;
      return;
    }
    c.seqs.add(data.seq);
    S.delivered += 1;
    const sentAt = Number(String(data.text).split('|')[3]);
    if (Number.isFinite(sentAt)) S.latencies.push(Date.now() - sentAt);
    return;
  }
  if (event === 'error') count(S.errorFrames, data?.code ?? 'unknown');
  if (id === 'h') {
    if (event === 'ack') {
      c.ws.send(JSON.stringify({ event: 'room.join', id: 'j', data: { room: c.room } }));
    } else finish(new Error(`hello failed: ${data?.code}`));
  } else if (id === 'j') {
    if (event === 'ack') finish();
    else finish(new Error(`room.join failed: ${data?.code}`));
  }
}

async function connectAll({ specs, url, concurrency, rooms }) {
  chatRooms = new Set(rooms);
  const failuresBefore = S.connectFailures;
  const first = clients.length;
  let next = 0;
  let done = 0;
  const progress = setInterval(
    () => send({ type: 'progress', done, failed: S.connectFailures }),
    1000,
  );
  const worker = async () => {
    while (next < specs.length) {
      const spec = specs[next];
      next += 1;
      await open(spec, url);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  clearInterval(progress);
  const joinMs = clients
    .slice(first)
    .filter((c) => c.joined)
    .map((c) => c.joinMs)
    .sort((a, b) => a - b);
  send({
    type: 'connected',
    joined: joinMs.length,
    failed: S.connectFailures - failuresBefore,
    failureReasons: S.failureReasons,
    failureExamples: S.failureExamples,
    seconds: (performance.now() - started) / 1000,
    joinMsP50: joinMs[Math.floor(joinMs.length * 0.5)] ?? null,
    joinMsP99: joinMs[Math.floor(joinMs.length * 0.99)] ?? null,
    joinMsMax: joinMs[joinMs.length - 1] ?? null,
  });
}

function status() {
  let open = 0;
  for (const c of clients) if (c.joined && !c.closed) open += 1;
  send({
    type: 'status',
    open,
    lost: S.lost,
    lostByCode: S.lostByCode,
    lostEvents: S.lostEvents,
    errorFrames: S.errorFrames,
    delivered: S.delivered,
    duplicates: S.duplicates,
    unexpectedChat: S.unexpectedChat,
    rssBytes: process.memoryUsage().rss,
  });
}

/** Which acknowledged messages did each member that stayed connected not receive? */
function verify({ acked }) {
  const ackedSets = Object.fromEntries(Object.entries(acked).map(([r, s]) => [r, new Set(s)]));
  const out = {
    type: 'verify',
    members: 0,
    membersLost: 0,
    expected: 0,
    received: 0,
    missing: 0,
    notAcked: 0,
    missingExamples: [],
  };
  for (const c of clients) {
    if (!c.joined || !c.seqs) continue;
    const ackedSeqs = acked[c.room] ?? [];
    if (c.lostAt !== null) {
      out.membersLost += 1;
      continue;
    }
    out.members += 1;
    out.expected += ackedSeqs.length;
    let missing = [];
    for (const seq of ackedSeqs) {
      if (c.seqs.has(seq)) out.received += 1;
      else missing.push(seq);
    }
    out.missing += missing.length;
    for (const seq of c.seqs) if (!ackedSets[c.room]?.has(seq)) out.notAcked += 1;
    if (missing.length > 0 && out.missingExamples.length < 20) {
      if (missing.length > 10) missing = [...missing.slice(0, 10), `… ${missing.length} in all`];
      out.missingExamples.push({ i: c.i, room: c.room, seqs: missing });
    }
  }
  // Delivery latencies (ms, Date.now() across processes of one machine), for the percentiles.
  out.latencies = S.latencies;
  send(out);
}

async function closeAll() {
  const started = performance.now();
  const live = clients.filter((c) => !c.closed);
  for (const c of live) {
    c.closing = true;
    c.ws.close(1000, 'soak done');
  }
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && clients.some((c) => !c.closed)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  let terminated = 0;
  for (const c of clients) {
    if (!c.closed) {
      terminated += 1;
      c.ws.terminate();
    }
  }
  send({
    type: 'closed',
    closed: live.length - terminated,
    terminated,
    seconds: (performance.now() - started) / 1000,
  });
}

process.on('message', (message) => {
  switch (message.type) {
    case 'connect':
      connectAll(message).catch((error) => send({ type: 'fatal', error: String(error) }));
      break;
    case 'status':
      status();
      break;
    case 'verify':
      verify(message);
      break;
    case 'close':
      closeAll().catch((error) => send({ type: 'fatal', error: String(error) }));
      break;
    case 'exit':
      process.exit(0);
      break;
    default:
      break;
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid, maxOpenFiles: openFiles() });
