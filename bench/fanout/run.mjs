// Fan-out benchmark: one room, N receivers, rising message rates, the real Duplex api against a
// bare `ws` broadcast server. See docs/benchmarks.md for what is measured and how to read it.
//
//   pnpm --filter @duplex/bench fanout [-- flags]       (or: node bench/fanout/run.mjs [flags])
//
//   --clients N        receivers in the room (default 1000)
//   --rates a,b,...    messages per second into the room, one step each (default 5,10,20,40,80)
//   --duration S       seconds of sending per step (default 10)
//   --senders K        sender connections, also members of the room (default 4)
//   --drain S          seconds to wait for stragglers after a step's last send (default 2)
//   --warmup S         unreported warm-up at the first rate (default 2)
//   --batch B          connections opened at once while joining (default 50)
//   --servers list     duplex,reference (default both, in that order)
//   --cpu-step I       index of the step used for the CPU-per-delivery comparison (default 1)
//   --repeat R         run the servers alternately R times; tables show per-step medians
//   --profile          CPU-profile each server during the measured steps (numbers then not for the table)
//   --quick            smoke run: 200 clients, rates 5,20, 3 s
//
// Everything talks to 127.0.0.1 only; every loop is bounded in count and time, and a watchdog
// ends the run (and its children) if it ever overruns.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  createWriteStream,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { summarizeProfile } from './summarize-profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const apiMain = path.join(repoRoot, 'apps/api/dist/main.js');
const referenceMain = path.join(here, 'reference-server.mjs');
const HOST = '127.0.0.1';
const ROOM = 'bench';

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const opts = {
    clients: 1000,
    rates: [5, 10, 20, 40, 80],
    duration: 10,
    senders: 4,
    drain: 2,
    warmup: 2,
    batch: 50,
    servers: ['duplex', 'reference'],
    cpuStep: 1,
    profile: false,
    quick: false,
    repeat: 1,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[i + 1];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      i += 1;
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${arg} must be a positive number`);
      return n;
    };
    switch (arg) {
      case '--':
        break;
      case '--clients':
        opts.clients = Math.floor(num());
        break;
      case '--rates':
        opts.rates = value().split(',').map(Number);
        break;
      case '--duration':
        opts.duration = num();
        break;
      case '--senders':
        opts.senders = Math.floor(num());
        break;
      case '--drain':
        opts.drain = num();
        break;
      case '--warmup':
        opts.warmup = Number(value());
        break;
      case '--batch':
        opts.batch = Math.floor(num());
        break;
      case '--servers':
        opts.servers = value()
          .split(',')
          .map((s) => s.trim());
        break;
      case '--cpu-step':
        opts.cpuStep = Number(value());
        break;
      case '--profile':
        opts.profile = true;
        break;
      case '--repeat':
        opts.repeat = Math.floor(num());
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--help':
      case '-h':
        console.log(
          readFileSync(fileURLToPath(import.meta.url), 'utf8')
            .split('\n')
            .slice(0, 20)
            .join('\n'),
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${arg}`);
    }
  }
  if (opts.quick) Object.assign(opts, { clients: 200, rates: [5, 20], duration: 3, warmup: 1 });
  if (opts.rates.some((r) => !Number.isFinite(r) || r <= 0))
    throw new Error('--rates: positive numbers');
  for (const s of opts.servers)
    if (!['duplex', 'reference'].includes(s)) throw new Error(`unknown server ${s}`);
  if (
    opts.clients > 5000 ||
    opts.senders > 64 ||
    opts.duration > 120 ||
    opts.rates.length > 20 ||
    opts.repeat > 5
  ) {
    throw new Error(
      'refusing an unbounded run: clients ≤ 5000, senders ≤ 64, duration ≤ 120, ≤ 20 rates, repeat ≤ 5',
    );
  }
  opts.cpuStep = Math.min(Math.max(0, Math.floor(opts.cpuStep)), opts.rates.length - 1);
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds() {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = line;
  return (user + nice + system + irq + softirq + (steal || 0)) / CLK_TCK;
}

/** Resident set size in KiB. */
function rssKiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(predicate, timeoutMs, intervalMs = 20) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(intervalMs);
  }
  return predicate();
}

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Server children

const children = new Set();

async function startServer(kind, opts, runDir) {
  const port = await freePort();
  let dataDir = null;
  let args;
  let profilePath = null;
  const env = { ...process.env, PORT: String(port), HOST };
  delete env.NODE_OPTIONS;
  // Measurement hooks only (forced GC for the memory reading, CPU profiler toggle): see bench-preload.mjs.
  const preload = ['--expose-gc', '--import', path.join(here, 'bench-preload.mjs')];
  if (kind === 'duplex') {
    if (!existsSync(apiMain))
      throw new Error(`${apiMain} missing: build the api first (cd apps/api && pnpm build)`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'duplex-bench-'));
    Object.assign(env, {
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      // Only the rate limit is raised, so the senders are not throttled; persistence,
      // validation and sessions stay as in production.
      MESSAGES_PER_SECOND: '100000',
      BURST: '100000',
    });
    args = [...preload, apiMain];
  } else {
    args = [...preload, referenceMain];
  }
  if (opts.profile) {
    // Both servers are profiled over the same steps, so their profiles can be compared.
    profilePath = path.join(runDir, `${kind}.cpuprofile`);
    env.BENCH_CPU_PROFILE = profilePath;
  }
  const logPath = path.join(runDir, `${kind}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });
  const started = performance.now();
  const deadline = started + 60_000;
  let phase = 'health';
  while (performance.now() < deadline && !exited) {
    if (phase === 'health' && (await httpOk(`http://${HOST}:${port}/health`))) phase = 'ready';
    if (phase === 'ready' && (await httpOk(`http://${HOST}:${port}/ready`))) {
      phase = 'done';
      break;
    }
    await sleep(200);
  }
  if (phase !== 'done') {
    await stopServer({ child, dataDir, log });
    throw new Error(
      `${kind} did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}); see ${logPath}`,
    );
  }
  return {
    kind,
    port,
    child,
    pid: child.pid,
    dataDir,
    log,
    logPath,
    profilePath,
    readyAfterMs: performance.now() - started,
    get exited() {
      return exited;
    },
  };
}

/** RSS after a forced full GC in the server (SIGHUP, see bench-preload.mjs), in KiB. */
async function settledRss(server) {
  server.child.kill('SIGHUP');
  await sleep(1000);
  server.child.kill('SIGHUP');
  await sleep(1000);
  return rssKiB(server.pid);
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await gone;
    clearTimeout(timer);
  }
  server.log?.end();
  if (server.dataDir) rmSync(server.dataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Clients
//
// Receivers are raw `ws` sockets that JSON.parse each frame and read two fields. Decoding with
// the full client library (@duplex/client validates every server frame against its schemas and
// runs it through an emitter) in 1000 receivers would make the load generator, which shares the
// two cores with the server, the bottleneck, and we would be measuring the client, not the server.
//
// Senders are raw `ws` sockets too, for the same reason (they are members and receive every
// broadcast) and so that both servers are driven by byte-for-byte the same frames with the same
// cost on our side; the sender only needs hello, room.join and chat.send with an id and the ack.

/** Live measurement state, shared by every socket's message handler. */
const M = {
  step: -1, // chat.message frames of other steps count as late
  lat: new Float64Array(0),
  n: 0,
  lastRecv: 0,
  acked: 0,
  errors: 0,
  errorCodes: {},
  late: 0,
  disorder: 0,
  reset(step, capacity) {
    this.step = step;
    if (this.lat.length < capacity) this.lat = new Float64Array(capacity);
    this.n = 0;
    this.lastRecv = 0;
    this.acked = 0;
    this.errors = 0;
    this.errorCodes = {};
    this.late = 0;
    this.disorder = 0;
  },
};

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    const client = { ws, waiter: null, lastSeq: 0, receiver: true };
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
    ws.on('message', (raw) => onFrame(client, raw));
  });
}

function onFrame(client, raw) {
  const now = performance.now();
  const frame = JSON.parse(raw.toString());
  const event = frame.event;
  if (event === 'chat.message') {
    const { seq, text } = frame.data;
    if (seq <= client.lastSeq) M.disorder += 1;
    client.lastSeq = seq;
    if (!client.receiver) return;
    // text is "b|<step>|<index>|<send time, performance.now() ms>"
    const a = text.indexOf('|', 2);
    const b = text.indexOf('|', a + 1);
    const step = Number(text.slice(2, a));
    if (step !== M.step) {
      M.late += 1;
      return;
    }
    M.lat[M.n++] = now - Number(text.slice(b + 1));
    M.lastRecv = now;
    return;
  }
  const id = frame.id;
  if (id === undefined) {
    if (event === 'error') recordError(frame.data?.code);
    return; // presence.*, typing: not measured
  }
  if (id.charCodeAt(0) === 109 /* m */) {
    // ack or error of a measured chat.send: "m<step>.<index>"
    if (Number(id.slice(1, id.indexOf('.'))) !== M.step) return;
    if (event === 'ack') M.acked += 1;
    else recordError(frame.data?.code);
    return;
  }
  const waiter = client.waiter;
  if (waiter && waiter.id === id) {
    client.waiter = null;
    if (event === 'ack') waiter.resolve(frame.data);
    else waiter.reject(new Error(`${waiter.event} failed: ${JSON.stringify(frame.data)}`));
  }
}

function recordError(code) {
  M.errors += 1;
  M.errorCodes[code] = (M.errorCodes[code] ?? 0) + 1;
}

function request(client, event, data, id) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.waiter = null;
      reject(new Error(`${event} timed out`));
    }, 30_000);
    client.waiter = {
      id,
      event,
      resolve: (value) => (clearTimeout(timer), resolve(value)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    };
    client.ws.send(JSON.stringify({ event, id, data }));
  });
}

async function member(url, name, receiver) {
  const client = await connect(url);
  client.receiver = receiver;
  await request(client, 'hello', { protocol: 1, name }, 'h');
  await request(client, 'room.join', { room: ROOM }, 'j');
  return client;
}

/** Opens `count` members in batches of `batch`, each batch fully joined before the next. */
async function openMembers(url, count, batch, prefix, receiver) {
  const clients = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const opened = await Promise.all(
      Array.from({ length: size }, (_, k) => member(url, `${prefix}${start + k}`, receiver)),
    );
    clients.push(...opened);
  }
  return clients;
}

function closeAll(clients) {
  for (const client of clients) client.ws.terminate();
}

// ---------------------------------------------------------------------------------------------
// One step: `rate` messages/s for `duration` s, spread round-robin over the senders

function percentile(sorted, n, p) {
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
}

async function runStep(server, senders, receivers, stepId, rate, opts) {
  const total = Math.max(1, Math.round(rate * opts.duration));
  const N = receivers;
  M.reset(stepId, total * N);
  const intervalMs = 1000 / rate;
  const cpu0 = cpuSeconds(server.pid);
  const lg0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  let sent = 0;
  let maxLagMs = 0;
  const hardStop = t0 + opts.duration * 1000 + 5000;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * intervalMs <= now) {
        maxLagMs = Math.max(maxLagMs, now - (t0 + sent * intervalMs));
        const sender = senders[sent % senders.length];
        const ts = performance.now();
        sender.ws.send(
          JSON.stringify({
            event: 'chat.send',
            id: `m${stepId}.${sent}`,
            data: {
              room: ROOM,
              clientId: `c${stepId}-${sent}`,
              text: `b|${stepId}|${sent}|${ts.toFixed(3)}`,
            },
          }),
        );
        sent += 1;
      }
      if (sent >= total || now > hardStop) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, Math.min(5, t0 + sent * intervalMs - performance.now())));
    };
    tick();
  });
  const sendEnd = performance.now();
  // Drain: stop as soon as everything acked has arrived everywhere, else after `drain` seconds.
  await waitUntil(() => M.acked === sent && M.n >= sent * N, opts.drain * 1000, 10);
  const cpuS = cpuSeconds(server.pid) - cpu0;
  const lg = process.cpuUsage(lg0);
  const machineS = machineBusySeconds() - machine0;
  const end = performance.now();

  const n = M.n;
  const lat = M.lat.subarray(0, n).sort();
  const expected = M.acked * N;
  const windowS = Math.max(opts.duration, ((M.lastRecv || sendEnd) - t0) / 1000);
  const result = {
    rate,
    sent,
    acked: M.acked,
    receivers: N,
    errors: M.errors,
    errorCodes: { ...M.errorCodes },
    offeredDeliveriesPerS: rate * N,
    delivered: n,
    expected,
    lost: Math.max(0, expected - n),
    unackedSends: sent - M.acked,
    deliveriesPerS: n / windowS,
    p50Ms: percentile(lat, n, 0.5),
    p99Ms: percentile(lat, n, 0.99),
    maxMs: n > 0 ? lat[n - 1] : NaN,
    serverCpuS: cpuS,
    cpuUsPerDelivery: n > 0 ? (cpuS * 1e6) / n : NaN,
    serverCpuPct: (100 * cpuS) / ((end - t0) / 1000),
    loadgenCpuPct: (100 * (lg.user + lg.system)) / 1e6 / ((end - t0) / 1000),
    // CPU used by everything else on the machine meanwhile (other work sharing the 2 cores).
    otherCpuPct:
      (100 * Math.max(0, machineS - cpuS - (lg.user + lg.system) / 1e6)) / ((end - t0) / 1000),
    maxSendLagMs: maxLagMs,
    outOfOrder: M.disorder,
    stepS: (end - t0) / 1000,
  };
  // Settle before the next step: a saturated server still has a backlog; let it finish (bounded)
  // so it does not bleed into the next step. Deliveries of this step arriving now count as late.
  M.step = -1 - stepId;
  const settleStart = performance.now();
  let lastLate = -1;
  let quietSince = performance.now();
  await waitUntil(
    () => {
      if (M.late !== lastLate) {
        lastLate = M.late;
        quietSince = performance.now();
      }
      return performance.now() - quietSince > 300;
    },
    20_000,
    50,
  );
  result.lateAfterDrain = M.late;
  // Deliveries that never came at all, even after the settle (a real loss, not just lateness).
  result.neverArrived = Math.max(0, sent * N - (n + M.late));
  result.settleS = (performance.now() - settleStart) / 1000;
  return result;
}

// ---------------------------------------------------------------------------------------------
// One server: start, connect, measure memory, run the steps, stop

async function benchServer(kind, opts, runDir) {
  const label = kind === 'duplex' ? 'Duplex api' : 'bare ws reference';
  log(`\n== ${label}: starting`);
  const server = await startServer(kind, opts, runDir);
  log(
    `   ready after ${(server.readyAfterMs / 1000).toFixed(1)} s (pid ${server.pid}, port ${server.port})`,
  );
  const url = `ws://${HOST}:${server.port}/ws`;
  let receivers = [];
  let senders = [];
  try {
    const rssBefore = await settledRss(server);
    const connectStart = performance.now();
    receivers = await openMembers(url, opts.clients, opts.batch, 'r', true);
    const connectS = (performance.now() - connectStart) / 1000;
    await sleep(1000); // let the join traffic (presence fan-out, history reads) settle
    const rssAfter = await settledRss(server);
    const memory = {
      rssBeforeKiB: rssBefore,
      rssAfterKiB: rssAfter,
      perConnectionKiB: (rssAfter - rssBefore) / opts.clients,
    };
    log(
      `   ${opts.clients} receivers joined in ${connectS.toFixed(1)} s; RSS ${(rssBefore / 1024).toFixed(0)} → ${(rssAfter / 1024).toFixed(0)} MiB, ${memory.perConnectionKiB.toFixed(1)} KiB/connection`,
    );
    senders = await openMembers(url, opts.senders, opts.senders, 's', false);
    await sleep(500);
    // The server's own CPU with every member connected and no traffic (timers, metrics, storage):
    // it is included in every step's CPU, so it weighs most at the lowest rate.
    const idleCpu0 = cpuSeconds(server.pid);
    await sleep(5000);
    const idleCpuPct = (100 * (cpuSeconds(server.pid) - idleCpu0)) / 5;
    log(
      `   idle with ${opts.clients + opts.senders} members: server CPU ${idleCpuPct.toFixed(1)}%`,
    );

    if (opts.warmup > 0) {
      const warm = await runStep(server, senders, opts.clients, 0, opts.rates[0], {
        ...opts,
        duration: opts.warmup,
      });
      log(
        `   warm-up: ${warm.delivered}/${warm.expected} delivered, p99 ${warm.p99Ms.toFixed(1)} ms`,
      );
    }
    if (opts.profile && server.profilePath) server.child.kill('SIGUSR2'); // profiler on
    const steps = [];
    for (let i = 0; i < opts.rates.length; i += 1) {
      if (server.exited)
        throw new Error(`${kind} exited during the run: ${JSON.stringify(server.exited)}`);
      const step = await runStep(server, senders, opts.clients, i + 1, opts.rates[i], opts);
      // The same, less the server's idle CPU over the step: the marginal cost of a delivery.
      step.cpuUsPerDeliveryNetIdle =
        step.delivered > 0
          ? (Math.max(0, step.serverCpuS - (idleCpuPct / 100) * step.stepS) * 1e6) / step.delivered
          : NaN;
      steps.push(step);
      log(
        `   ${String(step.rate).padStart(4)} msg/s: ${fmt(step.deliveriesPerS, 0).padStart(7)} deliveries/s, ` +
          `p50 ${fmt(step.p50Ms, 1)} p99 ${fmt(step.p99Ms, 1)} max ${fmt(step.maxMs, 1)} ms, lost ${step.lost}, ` +
          `cpu ${fmt(step.cpuUsPerDelivery, 2)} µs/delivery (server ${fmt(step.serverCpuPct, 0)}%, loadgen ${fmt(step.loadgenCpuPct, 0)}%, other ${fmt(step.otherCpuPct, 0)}%)` +
          (step.errors ? `, errors ${JSON.stringify(step.errorCodes)}` : '') +
          (step.unackedSends ? `, unacked in time ${step.unackedSends}` : '') +
          (step.lateAfterDrain ? `, late ${step.lateAfterDrain}` : ''),
      );
    }
    let profile = null;
    if (opts.profile && server.profilePath) {
      server.child.kill('SIGUSR2'); // profiler off, profile written
      if (await waitUntil(() => existsSync(server.profilePath), 15_000, 100)) {
        await sleep(500);
        profile = summarizeProfile(JSON.parse(readFileSync(server.profilePath, 'utf8')), 40);
        profile.file = path.relative(repoRoot, server.profilePath);
      }
    }
    return {
      server: kind,
      label,
      readyAfterS: server.readyAfterMs / 1000,
      connectS,
      memory,
      idleCpuPct,
      steps,
      profile,
    };
  } finally {
    closeAll(senders);
    closeAll(receivers);
    await sleep(200);
    await stopServer(server);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** One server's rounds folded into one result: every numeric field of each step is the median. */
function medianResult(rounds) {
  if (rounds.length === 1) return rounds[0];
  const [first] = rounds;
  const steps = first.steps.map((step, i) => {
    const merged = { ...step, rounds: rounds.length };
    for (const [key, value] of Object.entries(step)) {
      if (typeof value === 'number') merged[key] = median(rounds.map((r) => r.steps[i][key]));
    }
    merged.perRound = rounds.map((r) => ({
      cpuUsPerDelivery: r.steps[i].cpuUsPerDelivery,
      p99Ms: r.steps[i].p99Ms,
      lost: r.steps[i].lost,
      otherCpuPct: r.steps[i].otherCpuPct,
    }));
    return merged;
  });
  const memory = {
    perConnectionKiB: median(rounds.map((r) => r.memory.perConnectionKiB)),
    perRound: rounds.map((r) => r.memory),
  };
  return {
    ...first,
    steps,
    memory,
    readyAfterS: median(rounds.map((r) => r.readyAfterS)),
    connectS: median(rounds.map((r) => r.connectS)),
    idleCpuPct: median(rounds.map((r) => r.idleCpuPct)),
    profile: first.profile,
  };
}

function fmt(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

const isClean = (s) => s.p99Ms < 50 && s.lost === 0 && s.errors === 0 && s.unackedSends === 0;

function summarize(results, opts) {
  const byKind = Object.fromEntries(results.map((r) => [r.server, r]));
  const summary = {};
  for (const r of results) {
    const clean = r.steps.filter(isClean);
    const best = clean.reduce((a, s) => (a && a.deliveriesPerS >= s.deliveriesPerS ? a : s), null);
    summary[r.server] = {
      sustainedDeliveriesPerS: best ? best.deliveriesPerS : 0,
      sustainedAtRate: best ? best.rate : null,
      hitTopRate: best ? best.rate === Math.max(...opts.rates) : false,
      cpuUsPerDeliveryAtCpuStep: r.steps[opts.cpuStep]?.cpuUsPerDelivery ?? NaN,
      cpuUsPerDeliveryNetIdleAtCpuStep: r.steps[opts.cpuStep]?.cpuUsPerDeliveryNetIdle ?? NaN,
      perConnectionKiB: r.memory.perConnectionKiB,
    };
  }
  if (byKind.duplex && byKind.reference) {
    const d = summary.duplex;
    const ref = summary.reference;
    summary.ratios = {
      sustainedDeliveries: ref.sustainedDeliveriesPerS
        ? d.sustainedDeliveriesPerS / ref.sustainedDeliveriesPerS
        : NaN,
      cpuPerDelivery: d.cpuUsPerDeliveryAtCpuStep / ref.cpuUsPerDeliveryAtCpuStep,
      cpuPerDeliveryNetIdle:
        d.cpuUsPerDeliveryNetIdleAtCpuStep / ref.cpuUsPerDeliveryNetIdleAtCpuStep,
      memoryPerConnection: d.perConnectionKiB / ref.perConnectionKiB,
      cpuStepRate: opts.rates[opts.cpuStep],
      targets: { sustainedDeliveriesAtLeast: 0.85, cpuPerDeliveryAtMost: 1.2 },
    };
    summary.ratios.meetsThroughput = summary.ratios.sustainedDeliveries >= 0.85;
    summary.ratios.meetsCpu = summary.ratios.cpuPerDelivery <= 1.2;
  }
  return summary;
}

function markdown(results, summary, opts, meta) {
  const lines = [];
  if (opts.repeat > 1) lines.push(`Medians of ${opts.repeat} alternating rounds per server.`);
  lines.push(
    `Fan-out: ${opts.clients} receivers + ${opts.senders} senders in one room, ${opts.duration} s per step, drain ${opts.drain} s. ` +
      `${meta.cpuCount} cores, Node ${meta.node}, load average at start ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')}.`,
  );
  lines.push('');
  lines.push(
    '| server | msgs/s | offered deliv/s | achieved deliv/s | p50 ms | p99 ms | max ms | lost | server CPU s | CPU µs/deliv | server CPU % | loadgen CPU % | other CPU % |',
  );
  lines.push(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    for (const s of r.steps) {
      lines.push(
        `| ${r.server} | ${s.rate} | ${s.offeredDeliveriesPerS} | ${fmt(s.deliveriesPerS, 0)} | ${fmt(s.p50Ms, 1)} | ${fmt(s.p99Ms, 1)} | ${fmt(s.maxMs, 1)} | ` +
          `${s.lost}${s.unackedSends ? ` (+${s.unackedSends} unacked)` : ''}${s.errors ? ` (+${s.errors} err)` : ''} | ${fmt(s.serverCpuS, 2)} | ${fmt(s.cpuUsPerDelivery, 2)} | ${fmt(s.serverCpuPct, 0)} | ${fmt(s.loadgenCpuPct, 0)} | ${fmt(s.otherCpuPct, 0)} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    '| server | sustained deliv/s (p99 < 50 ms, 0 lost) | CPU µs/deliv at ' +
      opts.rates[opts.cpuStep] +
      ' msg/s | same, net of idle | RSS per idle member KiB | idle server CPU % | ready after s | join of all members s |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const s = summary[r.server];
    lines.push(
      `| ${r.server} | ${fmt(s.sustainedDeliveriesPerS, 0)}${s.hitTopRate ? ' (top rate: not saturated)' : ''} | ${fmt(s.cpuUsPerDeliveryAtCpuStep, 2)} | ${fmt(s.cpuUsPerDeliveryNetIdleAtCpuStep, 2)} | ${fmt(s.perConnectionKiB, 1)} | ${fmt(r.idleCpuPct, 1)} | ${fmt(r.readyAfterS, 1)} | ${fmt(r.connectS, 1)} |`,
    );
  }
  if (summary.ratios) {
    const q = summary.ratios;
    lines.push('');
    lines.push(
      `Duplex / reference: sustained deliveries ${fmt(q.sustainedDeliveries, 2)} (target ≥ 0.85: ${Number.isFinite(q.sustainedDeliveries) ? (q.meetsThroughput ? 'met' : 'NOT met') : 'undetermined: the reference had no clean step'}), ` +
        `CPU per delivery ${fmt(q.cpuPerDelivery, 2)}× (target ≤ 1.2×: ${q.meetsCpu ? 'met' : 'NOT met'}; net of idle ${fmt(q.cpuPerDeliveryNetIdle, 2)}×), memory per connection ${fmt(q.memoryPerConnection, 2)}×.`,
    );
    if (opts.repeat > 1) {
      for (const r of results) {
        const per = r.steps[opts.cpuStep]?.perRound ?? [];
        lines.push(
          `- ${r.server} CPU µs/delivery at ${opts.rates[opts.cpuStep]} msg/s per round: ${per.map((p) => fmt(p.cpuUsPerDelivery, 2)).join(', ')}`,
        );
      }
    }
  }
  for (const r of results) {
    if (!r.profile) continue;
    lines.push('');
    lines.push(
      `Profile of ${r.server} (${r.profile.file}): ${fmt(r.profile.busyMs, 0)} ms busy of ${fmt(r.profile.totalMs, 0)} ms sampled`,
    );
    lines.push('');
    lines.push('| self ms | % busy | category |\n| ---: | ---: | --- |');
    for (const c of r.profile.categories.filter((c) => c.key !== '(idle)').slice(0, 15)) {
      lines.push(`| ${fmt(c.ms, 0)} | ${fmt(c.pctBusy, 1)} | ${c.key} |`);
    }
    lines.push('');
    lines.push('| self ms | % busy | function |\n| ---: | ---: | --- |');
    for (const f of r.profile.functions.filter((f) => !f.key.startsWith('(idle)')).slice(0, 30)) {
      lines.push(`| ${fmt(f.ms, 0)} | ${fmt(f.pctBusy, 1)} | \`${f.key}\` |`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const perServerS = 75 + (opts.warmup + opts.rates.length * (opts.duration + opts.drain + 20));
  const watchdog = setTimeout(
    () => {
      log('watchdog: the run overran its time budget; stopping');
      for (const child of children) child.kill('SIGKILL');
      process.exit(3);
    },
    perServerS * opts.servers.length * opts.repeat * 1000,
  );
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(resultsDir, `fanout-${runId}`);
  mkdirSync(runDir, { recursive: true });
  const meta = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    loadavgStart: loadavg(),
    clkTck: CLK_TCK,
    // Which api build was measured (others may rebuild apps/api/dist while the bench runs).
    apiDistMtime: existsSync(apiMain) ? statSync(apiMain).mtime.toISOString() : null,
    gitHead: (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
          cwd: repoRoot,
          encoding: 'utf8',
        }).trim();
      } catch {
        return null;
      }
    })(),
  };
  log(
    `fan-out bench: ${opts.clients} receivers, rates ${opts.rates.join(',')} msg/s, ${opts.duration} s each; ` +
      `load average ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rounds = [];
  for (let round = 0; round < opts.repeat; round += 1) {
    if (opts.repeat > 1) log(`\n### round ${round + 1} of ${opts.repeat}`);
    for (const kind of opts.servers)
      rounds.push({ round, ...(await benchServer(kind, opts, runDir)) });
  }
  const results = opts.servers.map((kind) => medianResult(rounds.filter((r) => r.server === kind)));
  meta.loadavgEnd = loadavg();
  meta.finishedAt = new Date().toISOString();
  const summary = summarize(results, opts);
  const table = markdown(results, summary, opts, meta);
  const file = path.join(resultsDir, `fanout-${runId}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { meta, options: opts, summary, results, rounds: opts.repeat > 1 ? rounds : undefined },
      null,
      2,
    ),
  );
  console.log(table);
  log(
    `\nload average at end ${meta.loadavgEnd.map((l) => l.toFixed(2)).join(' ')}; results: ${path.relative(repoRoot, file)}; logs: ${path.relative(repoRoot, runDir)}`,
  );
  clearTimeout(watchdog);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
