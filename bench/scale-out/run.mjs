// Scale-out benchmark: the Duplex api as one or two instances on PostgreSQL + Redis, against the
// embedded single instance and against references measured in the same run. See the
// "Scale-out: PostgreSQL + Redis" section of docs/benchmarks.md for what is measured and how to
// read it.
//
//   pnpm --filter @duplex/bench scale-out [-- flags]      (or: node bench/scale-out/run.mjs [flags])
//
//   --parts list          throughput,fanout,resume,presence (default all, in that order)
//   --duration S          measured seconds per throughput case and per fan-out case (default 10)
//   --warmup S            unreported seconds before each of them (default 2)
//   --senders N           throughput: sender connections (default 50)
//   --window W            throughput: chat.send in flight per sender (default 4)
//   --rooms R             throughput: rooms of the "across rooms" case (default 100)
//   --pgbench-clients C   pgbench reference: client connections (default 10, the api's pool size)
//   --pgbench-modes list  pgbench -M modes (default prepared,extended: extended is a statement
//                         parsed and planned each time, as node-pg sends the api's queries)
//   --members N           fan-out: receivers in the room (default 1000)
//   --rate M              fan-out: messages per second into the room (default 10)
//   --fanout-rounds R     fan-out: all-on-A and split cases alternate R times (default 2)
//   --resumes K           resume: resumes per kind, cross-instance and same-instance (default 200)
//   --presence-users U    presence: users on the killed instance (default 100)
//   --kills K             presence: kill -9 rounds, A restarted between them (default 2)
//   --lease-ms L          INSTANCE_LEASE_MS of every clustered instance (default 10000, the api's)
//   --api-dist DIR        run this build instead of a snapshot of apps/api/dist
//   --report FILE         print the tables of an earlier run's JSON again, run nothing
//   --quick               smoke run: 2 s cases, 200 members, 20 resumes, 20 presence users
//
// The runner starts its own throwaway PostgreSQL and Redis (scripts/local-postgres.sh and
// scripts/local-redis.sh, temp folders, free ports on 127.0.0.1) and removes them at the end.
// Every loop is bounded in count and time, and a watchdog ends the run (and its children) if it
// ever overruns.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const apiDir = path.join(repoRoot, 'apps/api');
const pgbenchScript = path.join(here, 'append-one.sql');
const HOST = '127.0.0.1';
const SECRET = 'scale-out-bench-identity-secret';

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const opts = {
    parts: ['throughput', 'fanout', 'resume', 'presence'],
    duration: 10,
    warmup: 2,
    senders: 50,
    window: 4,
    rooms: 100,
    pgbenchClients: 10,
    pgbenchModes: ['prepared', 'extended'],
    members: 1000,
    fanoutSenders: 4,
    fanoutRounds: 2,
    rate: 10,
    resumes: 200,
    presenceUsers: 100,
    presenceStay: 4,
    kills: 2,
    leaseMs: 10_000,
    apiDist: null,
    report: null,
    quick: false,
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
      case '--parts':
        opts.parts = value()
          .split(',')
          .map((s) => s.trim());
        break;
      case '--duration':
        opts.duration = num();
        break;
      case '--warmup':
        opts.warmup = Number(value());
        break;
      case '--senders':
        opts.senders = Math.floor(num());
        break;
      case '--window':
        opts.window = Math.floor(num());
        break;
      case '--rooms':
        opts.rooms = Math.floor(num());
        break;
      case '--pgbench-clients':
        opts.pgbenchClients = Math.floor(num());
        break;
      case '--pgbench-modes':
        opts.pgbenchModes = value()
          .split(',')
          .map((s) => s.trim());
        break;
      case '--members':
        opts.members = Math.floor(num());
        break;
      case '--rate':
        opts.rate = num();
        break;
      case '--fanout-rounds':
        opts.fanoutRounds = Math.floor(num());
        break;
      case '--resumes':
        opts.resumes = Math.floor(num());
        break;
      case '--presence-users':
        opts.presenceUsers = Math.floor(num());
        break;
      case '--kills':
        opts.kills = Math.floor(num());
        break;
      case '--lease-ms':
        opts.leaseMs = Math.floor(num());
        break;
      case '--api-dist':
        opts.apiDist = path.resolve(value());
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--report':
        opts.report = path.resolve(value());
        break;
      case '--help':
      case '-h':
        console.log(
          readFileSync(fileURLToPath(import.meta.url), 'utf8')
            .split('\n')
            .slice(0, 27)
            .join('\n'),
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${arg}`);
    }
  }
  if (opts.quick) {
    Object.assign(opts, {
      duration: 2,
      warmup: 1,
      members: 200,
      resumes: 20,
      presenceUsers: 20,
      kills: 1,
      fanoutRounds: 1,
    });
  }
  for (const m of opts.pgbenchModes) {
    if (!['prepared', 'extended', 'simple'].includes(m))
      throw new Error(`unknown pgbench mode ${m}`);
  }
  for (const p of opts.parts) {
    if (!['throughput', 'fanout', 'resume', 'presence'].includes(p))
      throw new Error(`unknown part ${p}`);
  }
  if (
    opts.duration > 60 ||
    opts.senders > 200 ||
    opts.window > 64 ||
    opts.rooms > 1000 ||
    opts.pgbenchClients > 50 ||
    opts.members > 5000 ||
    opts.rate > 200 ||
    opts.resumes > 2000 ||
    opts.presenceUsers > 1000 ||
    opts.kills > 5 ||
    opts.fanoutRounds > 5
  ) {
    throw new Error(
      'refusing an unbounded run: duration ≤ 60, senders ≤ 200, window ≤ 64, rooms ≤ 1000, pgbench clients ≤ 50, ' +
        'members ≤ 5000, rate ≤ 200, resumes ≤ 2000, presence users ≤ 1000, kills ≤ 5, fan-out rounds ≤ 5',
    );
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Small helpers (the same measurement helpers as bench/fanout/run.mjs)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat from field 3 (state) on; null when the process is gone. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime of a process (all its threads), in seconds; NaN when it is gone. */
function cpuSeconds(pid) {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : NaN;
}

/**
 * CPU of a PostgreSQL server: the postmaster, its live children (backends, walwriter,
 * checkpointer, …) and the children it has reaped (cutime + cstime: backends of closed
 * connections).
 */
function postgresCpuSeconds(postmasterPid) {
  const f = statFields(postmasterPid);
  if (!f) return NaN;
  let total = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const c = statFields(entry);
    if (c && Number(c[1]) === postmasterPid) total += Number(c[11]) + Number(c[12]);
  }
  return total / CLK_TCK;
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

function percentile(sorted, p) {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
}

function stats(values) {
  const v = Float64Array.from(values).sort();
  return {
    n: v.length,
    p50: percentile(v, 0.5),
    p99: percentile(v, 0.99),
    max: v.length ? v[v.length - 1] : NaN,
  };
}

function fmt(value, digits = 0) {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Infrastructure: PostgreSQL, Redis, api instances

const children = new Set();
const infra = { pgDir: null, redisDir: null, apiSnapshot: null };

function script(name, args) {
  return execFileSync('bash', [path.join(repoRoot, 'scripts', name), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function startDatabases() {
  infra.pgDir = mkdtempSync(path.join(tmpdir(), 'duplex-so-pg-'));
  const databaseUrl = script('local-postgres.sh', ['start', infra.pgDir]);
  infra.redisDir = mkdtempSync(path.join(tmpdir(), 'duplex-so-redis-'));
  const redisUrl = script('local-redis.sh', ['start', infra.redisDir]);
  const postmasterPid = Number(
    readFileSync(path.join(infra.pgDir, 'data/postmaster.pid'), 'utf8').split('\n')[0],
  );
  const redisPid = Number(readFileSync(path.join(infra.redisDir, 'redis.pid'), 'utf8').trim());
  const pgBin = path.dirname(
    execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1'], {
      encoding: 'utf8',
    }).trim(),
  );
  return { databaseUrl, redisUrl, postmasterPid, redisPid, pgBin };
}

/** Stops and deletes the throwaway servers; synchronous, so it also runs on the way out. */
function removeDatabases() {
  for (const [name, key] of [
    ['local-postgres.sh', 'pgDir'],
    ['local-redis.sh', 'redisDir'],
  ]) {
    if (!infra[key]) continue;
    try {
      script(name, ['remove', infra[key]]);
    } catch (error) {
      log(`could not remove ${infra[key]}: ${error.message}`);
    }
    infra[key] = null;
  }
  if (infra.apiSnapshot) {
    rmSync(infra.apiSnapshot, { recursive: true, force: true });
    infra.apiSnapshot = null;
  }
}

/**
 * A copy of apps/api/dist that other people's rebuilds cannot change mid-run: dist, the
 * package.json (for "type": "module") and a link to the api's node_modules.
 */
function snapshotApi() {
  const dist = path.join(apiDir, 'dist');
  if (!existsSync(path.join(dist, 'main.js')))
    throw new Error(
      `${dist}/main.js missing: build the api first (pnpm --filter @duplex/api build)`,
    );
  const dir = mkdtempSync(path.join(tmpdir(), 'duplex-so-api-'));
  infra.apiSnapshot = dir;
  cpSync(dist, path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(apiDir, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(apiDir, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    main: path.join(dir, 'dist/main.js'),
    distMtime: statSync(path.join(dist, 'main.js')).mtime.toISOString(),
  };
}

async function startApi(name, env, ctx) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), `duplex-so-${name}-`));
  const childEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    IDENTITY_SECRET: SECRET,
    // Only the rate limits are raised (chat and the HTTP reads the presence check polls);
    // persistence, validation, sessions, leases stay as in production.
    MESSAGES_PER_SECOND: '100000',
    BURST: '100000',
    HTTP_READS_PER_SECOND: '1000',
    HTTP_READ_BURST: '1000',
    ...env,
  };
  delete childEnv.NODE_OPTIONS;
  const logPath = path.join(ctx.runDir, `${name}.log`);
  const logStream = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, [ctx.apiMain], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });
  const started = performance.now();
  let ready = false;
  while (performance.now() - started < 60_000 && !exited) {
    if (
      (await httpOk(`http://${HOST}:${port}/health`)) &&
      (await httpOk(`http://${HOST}:${port}/ready`))
    ) {
      ready = true;
      break;
    }
    await sleep(100);
  }
  const api = {
    name,
    port,
    pid: child.pid,
    child,
    dataDir,
    logStream,
    logPath,
    url: `ws://${HOST}:${port}/ws`,
    http: `http://${HOST}:${port}`,
    readyAfterS: (performance.now() - started) / 1000,
    get exited() {
      return exited;
    },
  };
  if (!ready) {
    await stopApi(api);
    throw new Error(
      `${name} did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}); see ${logPath}`,
    );
  }
  log(`   ${name} ready after ${api.readyAfterS.toFixed(1)} s (pid ${api.pid}, port ${port})`);
  return api;
}

async function stopApi(api) {
  const { child } = api;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await gone;
    clearTimeout(timer);
  }
  api.logStream.end();
  rmSync(api.dataDir, { recursive: true, force: true });
}

function clusterEnv(db, opts, prefix) {
  return {
    DATABASE_URL: db.databaseUrl,
    REDIS_URL: db.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    INSTANCE_LEASE_MS: String(opts.leaseMs),
  };
}

// ---------------------------------------------------------------------------------------------
// CPU meter: every process that does the work, read at the start and the end of a window

function cpuSnapshot(ctx) {
  const apis = {};
  for (const api of ctx.apis) apis[api.name] = cpuSeconds(api.pid);
  const lg = process.cpuUsage();
  return {
    t: performance.now(),
    apis,
    postgres: ctx.db ? postgresCpuSeconds(ctx.db.postmasterPid) : NaN,
    redis: ctx.db ? cpuSeconds(ctx.db.redisPid) : NaN,
    loadgen: (lg.user + lg.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

/** Seconds of CPU per component between two snapshots, and each as % of one core. */
function cpuDiff(a, b) {
  const wall = (b.t - a.t) / 1000;
  const apis = {};
  let apiTotal = 0;
  for (const name of Object.keys(a.apis)) {
    const s = b.apis[name] - a.apis[name];
    apis[name] = s;
    if (Number.isFinite(s)) apiTotal += s;
  }
  const postgres = b.postgres - a.postgres;
  const redis = b.redis - a.redis;
  const loadgen = b.loadgen - a.loadgen;
  const machine = b.machine - a.machine;
  const known =
    apiTotal + (Number.isFinite(postgres) ? postgres : 0) + (Number.isFinite(redis) ? redis : 0);
  const other = Math.max(0, machine - known - loadgen);
  const pct = (s) => (100 * s) / wall;
  return {
    wallS: wall,
    apiS: apiTotal,
    apis,
    postgresS: postgres,
    redisS: redis,
    loadgenS: loadgen,
    machineS: machine,
    otherS: other,
    apiPct: pct(apiTotal),
    postgresPct: pct(postgres),
    redisPct: pct(redis),
    loadgenPct: pct(loadgen),
    otherPct: pct(other),
  };
}

/** The api's own counters, summed over instances: store batches (and their time), gap fills. */
async function apiCounters(apis) {
  const sum = { appends: 0, appendSeconds: 0, gapFills: 0 };
  for (const api of apis) {
    try {
      const res = await fetch(`${api.http}/metrics`, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      const read = (re) => {
        const m = re.exec(text);
        return m ? Number(m[1]) : 0;
      };
      sum.appends += read(/^duplex_store_operation_seconds_count\{operation="append"\} (\S+)$/m);
      sum.appendSeconds += read(
        /^duplex_store_operation_seconds_sum\{operation="append"\} (\S+)$/m,
      );
      sum.gapFills += read(/^duplex_gap_filled_messages_total (\S+)$/m);
    } catch {
      sum.appends = NaN;
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Clients: raw `ws` sockets (as in bench/fanout: the client library's schema validation of every
// frame would make the load generator, which shares the two cores, the bottleneck).

const CHAT_PREFIX = '{"event":"chat.message","data":{"room":"';

class Conn {
  constructor(ws) {
    this.ws = ws;
    this.pending = new Map();
    this.nextId = 0;
    /** room -> {last, received, gaps, disorder}: every chat.message this socket got. */
    this.rooms = new Map();
    this.onChat = null; // (room, seq, text) when set; text parsed only then
    this.onAck = null; // (id, frame) for ids starting with "m"
    this.onEvent = null; // (frame) for frames without id (presence, errors)
    this.errors = 0;
    this.errorCodes = {};
    this.closed = false;
    ws.on('message', (raw) => this.frame(raw));
    ws.on('error', () => {});
    ws.on('close', () => {
      this.closed = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error('socket closed'));
      this.pending.clear();
    });
  }

  static open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
      const conn = new Conn(ws);
      ws.once('open', () => resolve(conn));
      ws.once('error', reject);
    });
  }

  frame(raw) {
    const s = raw.toString();
    if (s.startsWith(CHAT_PREFIX)) {
      // Only room and seq are read here (cheap); the text only where latency is measured.
      const roomEnd = s.indexOf('"', CHAT_PREFIX.length);
      const room = s.slice(CHAT_PREFIX.length, roomEnd);
      const seqAt = s.indexOf('"seq":', roomEnd) + 6;
      const seq = Number(s.slice(seqAt, s.indexOf(',', seqAt)));
      this.track(room, seq);
      if (this.onChat) this.onChat(room, seq, s);
      return;
    }
    const frame = JSON.parse(s);
    const id = frame.id;
    if (id === undefined) {
      if (frame.event === 'error') this.recordError(frame.data?.code);
      if (frame.event === 'chat.message') {
        // Not in the usual key order: track it the slow way.
        this.track(frame.data.room, frame.data.seq);
        if (this.onChat) this.onChat(frame.data.room, frame.data.seq, s);
        return;
      }
      if (this.onEvent) this.onEvent(frame);
      return;
    }
    if (id.charCodeAt(0) === 109 /* m */ && this.onAck) {
      this.onAck(id, frame);
      return;
    }
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (frame.event === 'ack') waiter.resolve(frame.data);
    else waiter.reject(Object.assign(new Error(JSON.stringify(frame.data)), { data: frame.data }));
  }

  track(room, seq) {
    let r = this.rooms.get(room);
    if (!r) {
      r = { last: -1, received: 0, gaps: 0, disorder: 0 };
      this.rooms.set(room, r);
    }
    if (r.last >= 0) {
      if (seq <= r.last) r.disorder += 1;
      else if (seq > r.last + 1) r.gaps += seq - r.last - 1;
    }
    if (seq > r.last) r.last = seq;
    r.received += 1;
  }

  recordError(code) {
    this.errors += 1;
    this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
  }

  request(event, data, timeoutMs = 30_000) {
    const id = `q${(this.nextId += 1)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${event} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.ws.send(JSON.stringify({ event, id, data }));
    });
  }

  /** Marks where live messages of the room begin for this socket (its join ack's lastSeq). */
  joinedAt(room, lastSeq) {
    const r = this.rooms.get(room);
    if (!r) this.rooms.set(room, { last: lastSeq, received: 0, gaps: 0, disorder: 0 });
    this.joinSeq ??= new Map();
    this.joinSeq.set(room, lastSeq);
  }

  close() {
    this.ws.terminate();
  }
}

async function member(url, name, rooms) {
  const conn = await Conn.open(url);
  conn.hello = await conn.request('hello', { protocol: 1, name });
  for (const room of rooms) {
    const ack = await conn.request('room.join', { room });
    conn.joinedAt(room, ack.lastSeq);
  }
  return conn;
}

/** Opens members in batches of 50, each batch fully joined before the next. */
async function openMembers(count, urlOf, nameOf, roomsOf) {
  const conns = [];
  for (let start = 0; start < count; start += 50) {
    const size = Math.min(50, count - start);
    conns.push(
      ...(await Promise.all(
        Array.from({ length: size }, (_, k) =>
          member(urlOf(start + k), nameOf(start + k), roomsOf(start + k)),
        ),
      )),
    );
  }
  return conns;
}

/** Leaves every room first (so no grace period ends later, in someone else's measurement). */
async function closeMembers(conns) {
  await Promise.allSettled(
    conns.flatMap((c) =>
      [...(c.joinSeq?.keys() ?? [])].map((room) =>
        c.closed ? null : c.request('room.leave', { room }, 10_000),
      ),
    ),
  );
  for (const c of conns) c.close();
  await sleep(300);
}

// ---------------------------------------------------------------------------------------------
// Part 1: acknowledged messages per second

const TEXT_PAD = 'x'.repeat(36);

async function throughputCase(ctx, label, short, instances, mode, opts) {
  const { senders: S, window: W } = opts;
  const tag = `${short}-${mode}`;
  const roomsOf =
    mode === 'hot'
      ? () => [`hot-${tag}`]
      : (i) => {
          const rooms = [];
          for (let r = i; r < opts.rooms; r += S) rooms.push(`r-${tag}-${r}`);
          return rooms;
        };
  if (mode === 'rooms' && opts.rooms < S)
    throw new Error('--rooms must be at least --senders (each sender needs a room)');
  const conns = await openMembers(
    S,
    (i) => instances[i % instances.length].url,
    (i) => `s${i}`,
    roomsOf,
  );
  const T = {
    running: true,
    measuring: false,
    t1: 0,
    t2: 0,
    k: 0,
    sendT: [],
    lat: [],
    acked: 0,
    ackedTotal: 0,
    inflight: 0,
    errors: 0,
    errorCodes: {},
    roomOf: [],
    /** room -> highest seq acknowledged: the room's last message (each case has new rooms). */
    maxSeq: new Map(),
  };
  const send = (conn) => {
    const room = conn.roomList[conn.rr++ % conn.roomList.length];
    const k = T.k++;
    T.sendT[k] = performance.now();
    T.roomOf[k] = room;
    T.inflight += 1;
    conn.ws.send(
      JSON.stringify({
        event: 'chat.send',
        id: `m${k}`,
        data: {
          room,
          clientId: `c${k}`,
          text: `load ${String(k).padStart(7, '0')} ${TEXT_PAD}`,
        },
      }),
    );
  };
  conns.forEach((conn, index) => {
    conn.roomList = roomsOf(index);
    conn.rr = 0;
    conn.onAck = (id, frame) => {
      const now = performance.now();
      T.inflight -= 1;
      if (frame.event === 'ack') {
        T.ackedTotal += 1;
        const k = Number(id.slice(1));
        const room = T.roomOf[k];
        if (frame.data.seq > (T.maxSeq.get(room) ?? 0)) T.maxSeq.set(room, frame.data.seq);
        if (T.measuring && now >= T.t1) {
          T.acked += 1;
          T.lat.push(now - T.sendT[k]);
        }
      } else {
        T.errors += 1;
        const code = frame.data?.code;
        T.errorCodes[code] = (T.errorCodes[code] ?? 0) + 1;
      }
      if (T.running) send(conn);
    };
  });
  await sleep(300);
  // Warm-up (unreported), then the measured window; the senders keep their windows full.
  const t0 = performance.now();
  for (const conn of conns) for (let w = 0; w < W; w += 1) send(conn);
  await sleep(opts.warmup * 1000);
  // The api's batch counters are read over HTTP while the load runs; the messages per commit
  // are the acks between the two answers ÷ the batches between them.
  const counters1 = await apiCounters(instances);
  const c1At = performance.now();
  const ackedAtC1 = T.ackedTotal;
  const cpu1 = cpuSnapshot(ctx);
  T.t1 = performance.now();
  T.measuring = true;
  await sleep(opts.duration * 1000);
  T.measuring = false;
  T.t2 = performance.now();
  const cpu2 = cpuSnapshot(ctx);
  const counters2 = await apiCounters(instances);
  const c2At = performance.now();
  const ackedBetween = T.ackedTotal - ackedAtC1;
  T.running = false;
  // Everything sent gets its reply, and every member every message of its rooms (bounded).
  await waitUntil(() => T.inflight === 0, 20_000, 10);
  const lastSeqs = T.maxSeq;
  await waitUntil(
    () =>
      conns.every((c) =>
        [...c.joinSeq.keys()].every(
          (room) => (c.rooms.get(room)?.last ?? 0) >= (lastSeqs.get(room) ?? 0),
        ),
      ),
    5000,
    20,
  );
  let expected = 0;
  let received = 0;
  let gaps = 0;
  let disorder = 0;
  for (const conn of conns) {
    for (const [room, joinSeq] of conn.joinSeq) {
      const r = conn.rooms.get(room);
      expected += (lastSeqs.get(room) ?? joinSeq) - joinSeq;
      received += r ? r.received : 0;
      gaps += r ? r.gaps : 0;
      disorder += r ? r.disorder : 0;
    }
  }
  // Messages stored = the rooms' last seqs (each room is new and used by this case only).
  const stored = [...lastSeqs.values()].reduce((a, b) => a + b, 0);
  const windowS = (T.t2 - T.t1) / 1000;
  const lat = stats(T.lat);
  const cpu = cpuDiff(cpu1, cpu2);
  const deliveriesPerMessage = mode === 'hot' ? S : 1;
  const result = {
    label,
    mode,
    instances: instances.map((i) => i.name),
    senders: S,
    window: W,
    rooms: mode === 'hot' ? 1 : opts.rooms,
    ackedPerS: T.acked / windowS,
    acked: T.acked,
    windowS,
    ackP50Ms: lat.p50,
    ackP99Ms: lat.p99,
    ackMaxMs: lat.max,
    deliveriesPerS: (T.acked * deliveriesPerMessage) / windowS,
    sentTotal: T.k,
    ackedTotal: T.ackedTotal,
    storedTotal: stored,
    errors: T.errors,
    errorCodes: T.errorCodes,
    unanswered: T.inflight,
    deliveriesExpected: expected,
    deliveriesReceived: received,
    deliveriesMissing: Math.max(0, expected - received),
    seqGaps: gaps,
    outOfOrder: disorder,
    connErrors: conns.reduce((a, c) => a + c.errors, 0),
    cpu,
    // From the api's /metrics over the window (± the two reads): store batches and their time.
    batches: counters2.appends - counters1.appends,
    messagesPerBatch: ackedBetween / (counters2.appends - counters1.appends),
    countersWindowS: (c2At - c1At) / 1000,
    batchMeanMs:
      (1000 * (counters2.appendSeconds - counters1.appendSeconds)) /
      (counters2.appends - counters1.appends),
    gapFills: counters2.gapFills - counters1.gapFills,
    elapsedS: (performance.now() - t0) / 1000,
  };
  log(
    `   ${label.padEnd(30)} ${mode.padEnd(5)}: ${fmt(result.ackedPerS)} acked/s, ack p50 ${fmt(lat.p50, 1)} p99 ${fmt(lat.p99, 1)} ms, ${fmt(result.messagesPerBatch, 1)} msgs/batch of ${fmt(result.batchMeanMs, 1)} ms; ` +
      `api ${fmt(cpu.apiPct)}% pg ${fmt(cpu.postgresPct)}% redis ${fmt(cpu.redisPct)}% loadgen ${fmt(cpu.loadgenPct)}% other ${fmt(cpu.otherPct)}%` +
      (T.errors ? `; errors ${JSON.stringify(T.errorCodes)}` : '') +
      (result.unanswered ? `; UNANSWERED ${result.unanswered}` : '') +
      (result.deliveriesMissing || gaps || disorder
        ? `; MISSING ${result.deliveriesMissing} gaps ${gaps} disorder ${disorder}`
        : '') +
      (stored !== T.ackedTotal ? `; stored ${stored} ≠ acked ${T.ackedTotal}` : ''),
  );
  await closeMembers(conns);
  return result;
}

/** pgbench with the store's statement, one message per transaction. */
async function pgbenchCase(ctx, mode, protocol, opts) {
  const rooms = mode === 'hot' ? 1 : opts.rooms;
  const clients = opts.pgbenchClients;
  const logDir = mkdtempSync(path.join(tmpdir(), 'duplex-so-pgbench-'));
  const args = [
    '-n',
    '-M',
    protocol,
    '-c',
    String(clients),
    '-j',
    String(Math.min(2, clients)),
    '-T',
    String(opts.duration),
    '-D',
    `rooms=${rooms}`,
    '-f',
    pgbenchScript,
    '-l',
    '--log-prefix',
    path.join(logDir, 'tx'),
    ctx.db.databaseUrl,
  ];
  const cpu1 = cpuSnapshot(ctx);
  const child = spawn(path.join(ctx.db.pgBin, 'pgbench'), args, {
    cwd: logDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code] = await new Promise((resolve) =>
    child.once('exit', (...a) => {
      children.delete(child);
      resolve(a);
    }),
  );
  await sleep(300); // its backends exit and are reaped by the postmaster (counted in its cutime)
  const cpu2 = cpuSnapshot(ctx);
  // pgbench's own CPU is in "other" (the machine's busy time minus the processes read here).
  writeFileSync(
    path.join(ctx.runDir, `pgbench-${protocol}-${mode}.txt`),
    `pgbench ${args.join(' ')}\n${out}`,
  );
  if (code !== 0) throw new Error(`pgbench exited ${code}:\n${out}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  const lat = [];
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      const f = line.split(' ');
      if (f.length >= 3) lat.push(Number(f[2]) / 1000);
    }
  }
  rmSync(logDir, { recursive: true, force: true });
  const s = stats(lat);
  const cpu = cpuDiff(cpu1, cpu2);
  const result = {
    label: `pgbench -M ${protocol}, ${clients} clients`,
    mode,
    protocol,
    rooms,
    clients,
    ackedPerS: tps,
    transactions: s.n,
    failed,
    ackP50Ms: s.p50,
    ackP99Ms: s.p99,
    ackMaxMs: s.max,
    cpu,
  };
  log(
    `   ${result.label.padEnd(30)} ${mode.padEnd(5)}: ${fmt(tps)} tps, p50 ${fmt(s.p50, 1)} p99 ${fmt(s.p99, 1)} ms, failed ${failed}; ` +
      `pg ${fmt(cpu.postgresPct)}% other (pgbench) ${fmt(cpu.otherPct)}%`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Part 2: fan-out to many members, on one instance or split over two

async function fanoutCase(ctx, label, round, receiverUrl, senderUrl, opts) {
  const room = `fan-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${round}`;
  const N = opts.members;
  const K = opts.fanoutSenders;
  const F = { step: -1, lat: [], late: 0, acked: 0, errors: 0 };
  const connectStart = performance.now();
  const receivers = await openMembers(
    N,
    receiverUrl,
    (i) => `f${i}`,
    () => [room],
  );
  const connectS = (performance.now() - connectStart) / 1000;
  for (const r of receivers) {
    r.onChat = (_room, _seq, s) => {
      // text is "f|<step>|<index>|<send time, performance.now() ms>"
      const at = s.indexOf('"text":"f|') + 10;
      const a = s.indexOf('|', at);
      const b = s.indexOf('|', a + 1);
      const step = Number(s.slice(at, a));
      if (step !== F.step) {
        F.late += 1;
        return;
      }
      F.lat.push(performance.now() - Number(s.slice(b + 1, s.indexOf('"', b))));
    };
  }
  const senders = await openMembers(
    K,
    senderUrl,
    (i) => `fs${i}`,
    () => [room],
  );
  for (const s of senders) {
    s.onAck = (_id, frame) => {
      if (frame.event === 'ack') F.acked += 1;
      else F.errors += 1;
    };
  }
  await sleep(1000);
  const idle1 = cpuSnapshot(ctx);
  await sleep(3000);
  const idle = cpuDiff(idle1, cpuSnapshot(ctx));

  const runStep = async (step, seconds) => {
    F.step = step;
    F.lat = [];
    F.late = 0;
    F.acked = 0;
    F.errors = 0;
    const total = Math.max(1, Math.round(opts.rate * seconds));
    const interval = 1000 / opts.rate;
    const cpu1 = cpuSnapshot(ctx);
    const t0 = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = t0 + sent * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sender = senders[sent % K];
      sender.ws.send(
        JSON.stringify({
          event: 'chat.send',
          id: `m${step}.${sent}`,
          data: {
            room,
            clientId: `f${step}-${sent}`,
            text: `f|${step}|${sent}|${performance.now().toFixed(3)}`,
          },
        }),
      );
      sent += 1;
    }
    await waitUntil(() => F.acked === sent && F.lat.length >= sent * N, 3000, 10);
    const cpu2 = cpuSnapshot(ctx);
    const delivered = F.lat.length;
    const lat = stats(F.lat);
    const cpu = cpuDiff(cpu1, cpu2);
    return {
      sent,
      acked: F.acked,
      errors: F.errors,
      delivered,
      expected: F.acked * N,
      lost: Math.max(0, F.acked * N - delivered),
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      maxMs: lat.max,
      cpu,
      apiUsPerDelivery: (cpu.apiS * 1e6) / delivered,
      redisUsPerDelivery: (cpu.redisS * 1e6) / delivered,
      postgresUsPerDelivery: (cpu.postgresS * 1e6) / delivered,
      apiUsPerDeliveryNetIdle:
        (Math.max(0, cpu.apiS - (idle.apiS / idle.wallS) * cpu.wallS) * 1e6) / delivered,
      redisUsPerDeliveryNetIdle:
        (Math.max(0, cpu.redisS - (idle.redisS / idle.wallS) * cpu.wallS) * 1e6) / delivered,
    };
  };
  if (opts.warmup > 0) await runStep(0, opts.warmup);
  const step = await runStep(1, opts.duration);
  // Everything still in flight counts as late; wait for it briefly so it never lands in the
  // next case, and check whether any delivery never came.
  F.step = -2;
  await sleep(1000);
  const result = {
    label,
    round,
    members: N,
    senders: K,
    rate: opts.rate,
    connectS,
    idle,
    ...step,
    lateAfterDrain: F.late,
    receiverSeqGaps: receivers.reduce((a, c) => a + (c.rooms.get(room)?.gaps ?? 0), 0),
    receiverOutOfOrder: receivers.reduce((a, c) => a + (c.rooms.get(room)?.disorder ?? 0), 0),
    connErrors: [...receivers, ...senders].reduce((a, c) => a + c.errors, 0),
  };
  log(
    `   ${label.padEnd(10)} #${round}: ${fmt(step.delivered)}/${fmt(step.expected)} delivered, p50 ${fmt(step.p50Ms, 1)} p99 ${fmt(step.p99Ms, 1)} ms; ` +
      `api ${fmt(step.apiUsPerDelivery, 2)} µs/deliv (net of idle ${fmt(step.apiUsPerDeliveryNetIdle, 2)}), redis ${fmt(step.redisUsPerDelivery, 2)} µs/deliv; ` +
      `joined ${N} in ${connectS.toFixed(1)} s` +
      (step.lost ? `; LOST ${step.lost} (late ${F.late})` : '') +
      (result.receiverSeqGaps || result.receiverOutOfOrder
        ? `; gaps ${result.receiverSeqGaps} disorder ${result.receiverOutOfOrder}`
        : ''),
  );
  await closeMembers([...receivers, ...senders]);
  // The closed sessions stay in their grace period (RESUME_GRACE_MS, 5 s by default) and are
  // ended after it: let that happen here, not in the next case's idle or measured window.
  await sleep(5500);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Part 3: resume on another instance

async function resumeRun(ctx, A, B, opts) {
  const room = 'resume-bench';
  const samples = { cross: { hello: [], join: [] }, same: { hello: [], join: [] } };
  const failures = { cross: [], same: [] };
  // One member that stays, so the room has a member throughout and presence is live.
  const anchor = await member(B.url, 'anchor', [room]);
  for (let i = 0; i < opts.resumes * 2; i += 1) {
    const kind = i % 2 === 0 ? 'cross' : 'same';
    const target = kind === 'cross' ? B : A;
    let old;
    let next;
    try {
      old = await member(A.url, `u${i}`, [room]);
      const token = old.hello.resume;
      const since = old.joinSeq.get(room);
      next = await Conn.open(target.url);
      const closed = new Promise((resolve) => old.ws.once('close', resolve));
      old.ws.close(1000);
      await closed; // the server has answered the close: instance A has seen it
      const t0 = performance.now();
      const hello = await next.request('hello', { protocol: 1, name: `u${i}`, resume: token });
      const t1 = performance.now();
      const join = await next.request('room.join', { room, since });
      const t2 = performance.now();
      if (hello.resumed !== true || !hello.rooms?.includes(room)) {
        failures[kind].push({ i, resumed: hello.resumed, rooms: hello.rooms });
      } else {
        samples[kind].hello.push(t1 - t0);
        samples[kind].join.push(t2 - t0);
      }
      void join;
      await next.request('room.leave', { room }, 10_000);
    } catch (error) {
      failures[kind].push({ i, error: error.message });
    } finally {
      old?.close();
      next?.close();
    }
  }
  anchor.close();
  const out = {};
  for (const kind of ['cross', 'same']) {
    const h = stats(samples[kind].hello);
    const j = stats(samples[kind].join);
    out[kind] = {
      n: h.n,
      failures: failures[kind].length,
      failureSamples: failures[kind].slice(0, 5),
      helloP50Ms: h.p50,
      helloP99Ms: h.p99,
      helloMaxMs: h.max,
      joinP50Ms: j.p50,
      joinP99Ms: j.p99,
      joinMaxMs: j.max,
    };
    log(
      `   resume ${kind === 'cross' ? 'A → B' : 'A → A'}: ${h.n} ok, ${failures[kind].length} failed; hello ack p50 ${fmt(h.p50, 2)} p99 ${fmt(h.p99, 2)} ms; ` +
        `+ re-join ack p50 ${fmt(j.p50, 2)} p99 ${fmt(j.p99, 2)} ms`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Part 4: presence after kill -9

async function presenceRound(ctx, A, B, round, opts) {
  const room = `presence-${round}`;
  const U = opts.presenceUsers;
  // The ones who stay: an observer and a few more users, all on B.
  const stay = await openMembers(
    1 + opts.presenceStay,
    () => B.url,
    (i) => (i === 0 ? 'observer' : `stay${i}`),
    () => [room],
  );
  const observer = stay[0];
  const leaving = await openMembers(
    U,
    () => A.url,
    (i) => `gone${i}`,
    () => [room],
  );
  const leavingIds = new Set(leaving.map((c) => c.hello.userId));
  const stayIds = new Set(stay.map((c) => c.hello.userId));
  const left = new Set();
  // A presence.diff names at most presenceDiffMaxUsers leavers; leftCount counts the rest.
  let leftUnnamed = 0;
  let lastOnline = NaN;
  let firstLeftAt = NaN;
  let allLeftAt = NaN;
  let t0 = NaN;
  let wrongLeaves = 0;
  const onLeft = (users, count = users.length) => {
    leftUnnamed += count - users.length;
    for (const user of users) {
      if (!leavingIds.has(user.userId)) {
        wrongLeaves += 1;
        continue;
      }
      if (!Number.isFinite(firstLeftAt)) firstLeftAt = performance.now() - t0;
      left.add(user.userId);
    }
    if (left.size + leftUnnamed >= U && !Number.isFinite(allLeftAt))
      allLeftAt = performance.now() - t0;
  };
  observer.onEvent = (frame) => {
    if (frame.data?.room !== room) return;
    if (frame.event === 'presence.left') onLeft([frame.data.user]);
    else if (frame.event === 'presence.diff') onLeft(frame.data.left, frame.data.leftCount);
    if (typeof frame.data?.online === 'number') lastOnline = frame.data.online;
  };
  const total = U + stay.length;
  const joinedAll = await waitUntil(() => lastOnline === total, 10_000, 20);
  await sleep(1000);
  const membersOnB = async () => {
    const res = await fetch(`${B.http}/api/rooms/${room}/members?limit=500`, {
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) return { status: res.status };
    return res.json();
  };
  const before = await membersOnB();
  // kill -9: no close frames, no clean-up of any kind on A.
  t0 = performance.now();
  A.child.kill('SIGKILL');
  let membersOkAt = NaN;
  let polls = 0;
  let lastMembers = null;
  const deadline = t0 + 30_000;
  while (performance.now() < deadline) {
    polls += 1;
    try {
      const page = await membersOnB();
      lastMembers = page;
      if (
        page.members &&
        page.online === stayIds.size &&
        page.members.length === stayIds.size &&
        page.members.every((m) => stayIds.has(m.userId))
      ) {
        membersOkAt = performance.now() - t0;
      }
    } catch {
      // B busy: try again
    }
    if (Number.isFinite(membersOkAt) && Number.isFinite(allLeftAt)) break;
    await sleep(100);
  }
  const result = {
    round,
    users: U,
    staying: stay.length,
    leaseMs: opts.leaseMs,
    observerSawAllJoin: joinedAll,
    membersBeforeKill: before.online,
    firstLeftMs: firstLeftAt,
    allLeftSeenMs: allLeftAt,
    leftSeen: left.size + leftUnnamed,
    membersCorrectMs: membersOkAt,
    lastOnlineSeen: lastOnline,
    lastMembersOnline: lastMembers?.online,
    wrongLeaves,
    polls,
  };
  log(
    `   kill -9 round ${round}: first left after ${fmt(firstLeftAt / 1000, 2)} s, all ${U} left after ${fmt(allLeftAt / 1000, 2)} s ` +
      `(${left.size + leftUnnamed} seen), members on B correct after ${fmt(membersOkAt / 1000, 2)} s` +
      (wrongLeaves ? `; ${wrongLeaves} WRONG presence.left` : ''),
  );
  for (const c of leaving) c.close();
  await closeMembers(stay);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reporting

function throughputTable(rows, pgbench) {
  const speed = [
    '| setup | rooms | acked msg/s | target | ack p50 ms | ack p99 ms | msgs per commit | commit mean ms | deliveries/s (acked × members) | lost / gaps / errors | gap-filled from store |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  const cpu = [
    '| setup | rooms | api CPU % | api CPU µs/msg | postgres CPU % | postgres CPU µs/msg | redis CPU % | loadgen CPU % | other CPU % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const target = (r) => (r.mode === 'hot' ? 1000 : 3000);
  for (const mode of ['hot', 'rooms']) {
    for (const r of rows.filter((x) => x.mode === mode)) {
      const t = target(r);
      speed.push(
        `| ${r.label} | ${r.rooms} | ${fmt(r.ackedPerS)} | ≥ ${fmt(t)}: ${r.ackedPerS >= t ? 'met' : 'NOT met'} | ` +
          `${fmt(r.ackP50Ms, 1)} | ${fmt(r.ackP99Ms, 1)} | ${fmt(r.messagesPerBatch, 1)} | ${fmt(r.batchMeanMs, 1)} | ${fmt(r.deliveriesPerS)} | ` +
          `${r.deliveriesMissing} / ${r.seqGaps} / ${r.errors + r.unanswered} | ${fmt(r.gapFills)} |`,
      );
      cpu.push(
        `| ${r.label} | ${r.rooms} | ${fmt(r.cpu.apiPct)} | ${fmt((r.cpu.apiS * 1e6) / r.acked)} | ${fmt(r.cpu.postgresPct)} | ` +
          `${fmt((r.cpu.postgresS * 1e6) / r.acked)} | ${fmt(r.cpu.redisPct)} | ${fmt(r.cpu.loadgenPct)} | ${fmt(r.cpu.otherPct)} |`,
      );
    }
    for (const r of pgbench.filter((x) => x.mode === mode)) {
      speed.push(
        `| reference: ${r.label} | ${r.rooms} | ${fmt(r.ackedPerS)} | | ${fmt(r.ackP50Ms, 1)} | ${fmt(r.ackP99Ms, 1)} | 1 | – | – | ${r.failed} failed | – |`,
      );
      cpu.push(
        `| reference: ${r.label} | ${r.rooms} | – | – | ${fmt(r.cpu.postgresPct)} | ${fmt((r.cpu.postgresS * 1e6) / r.transactions)} | – | – | ${fmt(r.cpu.otherPct)} (pgbench in it) |`,
      );
    }
  }
  return `${speed.join('\n')}\n\n${cpu.join('\n')}`;
}

function fanoutTable(rows) {
  const lines = [
    '| placement | round | delivered / expected | p50 ms | p99 ms | max ms | api CPU µs/deliv | redis CPU µs/deliv | postgres CPU µs/deliv | api CPU s per process (its idle CPU % before) | loadgen CPU % | other CPU % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    const per = Object.entries(r.cpu.apis)
      .map(
        ([name, s]) => `${name} ${fmt(s, 2)} (${fmt((100 * r.idle.apis[name]) / r.idle.wallS, 1)})`,
      )
      .join(', ');
    lines.push(
      `| ${r.label} | ${r.round} | ${fmt(r.delivered)} / ${fmt(r.expected)} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.maxMs, 1)} | ` +
        `${fmt(r.apiUsPerDelivery, 2)} | ${fmt(r.redisUsPerDelivery, 2)} | ${fmt(r.postgresUsPerDelivery, 2)} | ${per} | ` +
        `${fmt(r.cpu.loadgenPct)} | ${fmt(r.cpu.otherPct)} |`,
    );
  }
  return lines.join('\n');
}

function resumeTable(r) {
  const lines = [
    '| resume | ok | failed | hello(resume) → ack p50 ms | p99 ms | max ms | hello(resume) → re-join ack p50 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [kind, label] of [
    ['cross', 'on another instance (A → B)'],
    ['same', 'reference: same instance (A → A)'],
  ]) {
    const x = r[kind];
    lines.push(
      `| ${label} | ${x.n} | ${x.failures} | ${fmt(x.helloP50Ms, 2)} | ${fmt(x.helloP99Ms, 2)} | ${fmt(x.helloMaxMs, 2)} | ${fmt(x.joinP50Ms, 2)} | ${fmt(x.joinP99Ms, 2)} | ${fmt(x.joinMaxMs, 2)} |`,
    );
  }
  return lines.join('\n');
}

function presenceTable(rounds) {
  const lines = [
    '| round | users on A | staying on B | INSTANCE_LEASE_MS | first leave seen s | all leaves seen s | members on B correct s | expected ≤ 12.5 s | guaranteed ≤ 15 s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of rounds) {
    const worst = Math.max(r.allLeftSeenMs, r.membersCorrectMs) / 1000;
    lines.push(
      `| ${r.round} | ${r.users} | ${r.staying} | ${r.leaseMs} | ${fmt(r.firstLeftMs / 1000, 2)} | ${fmt(r.allLeftSeenMs / 1000, 2)} (${r.leftSeen} seen) | ${fmt(r.membersCorrectMs / 1000, 2)} | ` +
        `${Number.isFinite(worst) && worst <= (r.leaseMs * 1.25) / 1000 ? 'met' : 'NOT met'} | ${Number.isFinite(worst) && worst <= (r.leaseMs * 1.5) / 1000 ? 'met' : 'NOT met'} |`,
    );
  }
  return lines.join('\n');
}

function renderMarkdown(meta, opts, results) {
  const out = [];
  out.push(
    `Scale-out run ${meta.startedAt}: ${meta.nproc} cores (${meta.cpuModel}), Node ${meta.node}, ${meta.postgres}, ${meta.redis.split(' sha')[0]}; ` +
      `load average ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')} at start, ${meta.loadavgEnd.map((l) => l.toFixed(2)).join(' ')} at end; ${meta.elapsedS.toFixed(0)} s.`,
  );
  if (results.throughput) {
    out.push(
      '',
      `### Acked messages per second (${opts.senders} senders × ${opts.window} chat.send in flight; ${opts.duration} s after ${opts.warmup} s warm-up)`,
      '',
    );
    out.push(throughputTable(results.throughput.rows, results.throughput.pgbench));
  }
  if (results.fanout) {
    const c = results.fanout.crossInstance;
    out.push(
      '',
      `### Fan-out to ${opts.members} members (+ ${opts.fanoutSenders} senders), ${opts.rate} msg/s for ${opts.duration} s`,
      '',
    );
    out.push(fanoutTable(results.fanout.rows));
    const byRound = results.fanout.crossInstanceByRound
      .map(
        (r) =>
          `round ${r.round}: api ${fmt(r.apiUsPerDelivery, 2)} µs, redis ${fmt(r.redisUsPerDelivery, 2)} µs, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms`,
      )
      .join('; ');
    out.push(
      '',
      `Cross-instance cost (split − all on A) per delivery: ${byRound}. Mean: api ${fmt(c.apiUsPerDelivery, 2)} µs, ` +
        `redis ${fmt(c.redisUsPerDelivery, 2)} µs, together ${fmt(c.totalUsPerDelivery, 2)} µs; latency p50 ${c.p50Ms >= 0 ? '+' : ''}${fmt(c.p50Ms, 1)} ms, p99 ${c.p99Ms >= 0 ? '+' : ''}${fmt(c.p99Ms, 1)} ms.`,
    );
  }
  if (results.resume) {
    out.push('', `### Resume (${opts.resumes} each)`, '');
    out.push(resumeTable(results.resume));
  }
  if (results.presence) {
    out.push('', '### Presence after kill -9', '');
    out.push(presenceTable(results.presence));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.report) {
    // JSON has no NaN: the runner's NaN (not measured) was written as null.
    const saved = JSON.parse(readFileSync(opts.report, 'utf8'), (_key, v) =>
      v === null ? NaN : v,
    );
    console.log(renderMarkdown(saved.meta, saved.options, saved.results));
    return;
  }
  const watchdog = setTimeout(
    () => {
      log('watchdog: the run overran its time budget; stopping');
      cleanupSync();
      process.exit(3);
    },
    15 * 60 * 1000,
  );
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(resultsDir, `scale-out-${runId}`);
  mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const snapshot = opts.apiDist
    ? { main: path.join(opts.apiDist, 'main.js'), distMtime: null }
    : snapshotApi();
  log('scale-out bench: starting PostgreSQL and Redis');
  const db = startDatabases();
  const pgVersion = execFileSync(path.join(db.pgBin, 'postgres'), ['--version'], {
    encoding: 'utf8',
  }).trim();
  const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  const meta = {
    startedAt: new Date().toISOString(),
    node: process.version,
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpus()[0]?.model,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    postgres: pgVersion,
    redis: redisVersion,
    loadavgStart: loadavg(),
    clkTck: CLK_TCK,
    apiDistMtime: snapshot.distMtime,
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
  log(`   ${pgVersion}; ${redisVersion.split(' sha')[0]}; ${meta.nproc} cores; Node ${meta.node}`);
  const ctx = { runDir, apiMain: snapshot.main, db, apis: [] };
  const prefix = `so-${runId.slice(11, 23)}:`;
  const results = {};
  let A = null;
  let B = null;
  try {
    if (opts.parts.includes('throughput')) {
      log('\n== 1. acked messages per second');
      const rows = [];
      const pgbench = [];
      const E = await startApi('embedded', {}, ctx);
      ctx.apis = [E];
      ctx.db = { ...db, postmasterPid: NaN, redisPid: NaN }; // not used by the embedded api
      for (const mode of ['hot', 'rooms'])
        rows.push(await throughputCase(ctx, 'embedded store, 1 instance', 'emb', [E], mode, opts));
      await stopApi(E);
      ctx.db = db;
      A = await startApi('A', clusterEnv(db, opts, prefix), ctx);
      ctx.apis = [A];
      for (const protocol of opts.pgbenchModes)
        for (const mode of ['hot', 'rooms'])
          pgbench.push(await pgbenchCase(ctx, mode, protocol, opts));
      for (const mode of ['hot', 'rooms'])
        rows.push(
          await throughputCase(ctx, 'PostgreSQL + Redis, 1 instance', 'pg1', [A], mode, opts),
        );
      B = await startApi('B', clusterEnv(db, opts, prefix), ctx);
      ctx.apis = [A, B];
      for (const mode of ['hot', 'rooms'])
        rows.push(
          await throughputCase(ctx, 'PostgreSQL + Redis, 2 instances', 'pg2', [A, B], mode, opts),
        );
      results.throughput = { rows, pgbench };
    }
    ctx.db = db;
    if (!A) A = await startApi('A', clusterEnv(db, opts, prefix), ctx);
    if (!B && opts.parts.some((p) => p !== 'throughput'))
      B = await startApi('B', clusterEnv(db, opts, prefix), ctx);
    ctx.apis = [A, B].filter(Boolean);

    if (opts.parts.includes('fanout')) {
      log(
        `\n== 2. fan-out to ${opts.members} members at ${opts.rate} msg/s, ${opts.fanoutRounds} alternating rounds`,
      );
      const rows = [];
      const rounds = [];
      for (let round = 1; round <= opts.fanoutRounds; round += 1) {
        const one = await fanoutCase(
          ctx,
          'all on A',
          round,
          () => A.url,
          () => A.url,
          opts,
        );
        const split = await fanoutCase(
          ctx,
          'split A/B',
          round,
          (i) => (i < opts.members / 2 ? A.url : B.url),
          (i) => (i % 2 === 0 ? A.url : B.url),
          opts,
        );
        rows.push(one, split);
        rounds.push({
          round,
          apiUsPerDelivery: split.apiUsPerDelivery - one.apiUsPerDelivery,
          apiUsPerDeliveryNetIdle: split.apiUsPerDeliveryNetIdle - one.apiUsPerDeliveryNetIdle,
          redisUsPerDelivery: split.redisUsPerDelivery - one.redisUsPerDelivery,
          totalUsPerDelivery:
            split.apiUsPerDelivery +
            split.redisUsPerDelivery -
            (one.apiUsPerDelivery + one.redisUsPerDelivery),
          p50Ms: split.p50Ms - one.p50Ms,
          p99Ms: split.p99Ms - one.p99Ms,
        });
      }
      const mean = (key) => rounds.reduce((a, r) => a + r[key], 0) / rounds.length;
      results.fanout = {
        rows,
        crossInstanceByRound: rounds,
        crossInstance: {
          apiUsPerDelivery: mean('apiUsPerDelivery'),
          apiUsPerDeliveryNetIdle: mean('apiUsPerDeliveryNetIdle'),
          redisUsPerDelivery: mean('redisUsPerDelivery'),
          totalUsPerDelivery: mean('totalUsPerDelivery'),
          p50Ms: mean('p50Ms'),
          p99Ms: mean('p99Ms'),
        },
      };
    }

    if (opts.parts.includes('resume')) {
      log(`\n== 3. resume: ${opts.resumes} on another instance, ${opts.resumes} on the same`);
      results.resume = await resumeRun(ctx, A, B, opts);
    }

    if (opts.parts.includes('presence')) {
      log(
        `\n== 4. presence after kill -9 of A: ${opts.presenceUsers} users on A, INSTANCE_LEASE_MS ${opts.leaseMs}`,
      );
      const rounds = [];
      for (let round = 1; round <= opts.kills; round += 1) {
        if (round > 1) {
          A = await startApi(`A${round}`, clusterEnv(db, opts, prefix), ctx);
          ctx.apis = [A, B];
          await sleep(1000);
        }
        rounds.push(await presenceRound(ctx, A, B, round, opts));
        await stopApi(A); // reaps the killed child, removes its data dir
      }
      A = null;
      results.presence = rounds;
    }
  } finally {
    for (const api of [A, B]) if (api) await stopApi(api).catch(() => {});
    removeDatabases();
  }

  meta.loadavgEnd = loadavg();
  meta.finishedAt = new Date().toISOString();
  meta.elapsedS = (performance.now() - started) / 1000;
  const file = path.join(resultsDir, `scale-out-${runId}.json`);
  writeFileSync(file, JSON.stringify({ meta, options: opts, results }, null, 2));

  console.log(renderMarkdown(meta, opts, results));
  log(
    `\nresults: ${path.relative(repoRoot, file)}; logs: ${path.relative(repoRoot, runDir)}; ${meta.elapsedS.toFixed(0)} s`,
  );
  clearTimeout(watchdog);
}

function cleanupSync() {
  for (const child of children) child.kill('SIGKILL');
  removeDatabases();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanupSync();
    process.exit(130);
  });
}

main().catch((error) => {
  console.error(error);
  cleanupSync();
  process.exit(1);
});
