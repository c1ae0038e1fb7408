// Soak: many idle WebSocket connections through nginx to the local cluster of
// scripts/cluster.sh (PostgreSQL, Redis, three api instances, nginx), held for minutes while a
// few clients chat, then closed. See the "Soak" section of docs/benchmarks.md for what is
// measured and how to read it.
//
//   pnpm --filter @duplex/bench soak                 (or: node bench/soak/run.mjs)
//
// Settings (environment):
//   SOAK_CONNECTIONS    idle connections (default 10000), each: hello, room.join of one room
//   SOAK_MINUTES        how long they are held (default 10)
//   SOAK_ROOMS          rooms the idle connections are spread over (default 100)
//   SOAK_CHATTERS       chatting connections, one per room, in rooms spread over those (default 5)
//   SOAK_CHAT_RATE      messages per second of each chatter (default 1)
//   SOAK_SAMPLE_S       seconds between samples (default 10)
//   SOAK_QUIET_S        seconds of quiet after the close, before the last sample (default 60)
//   SOAK_SETTLE_S       seconds the idle cluster settles before the first sample (default 90:
//                       V8 gives back the api's start-up garbage about a minute after start)
//   SOAK_RECHECK_MINUTES  round 2 of the leak check: after the quiet time, connect as many
//                       again, hold them this long (no chat), close, quiet again (default 1; 0: no
//                       round 2)
//   SOAK_PROCS          load processes that hold the connections (default 4)
//   SOAK_CONCURRENCY    connections being opened at once, over all of them (default 64)
//   SOAK_NGINX_LIMITS   auto (default): when deploy/nginx.conf's worker_connections cannot hold
//                       2 × SOAK_CONNECTIONS proxied sockets in one worker, the soak's own copy
//                       of it (CLUSTER_DIR/nginx/nginx.conf) gets enough worker_connections and
//                       worker_rlimit_nofile and nginx reloads it; 0: run with the template as
//                       shipped (connections beyond its capacity then fail: that is measured)
//   SOAK_KEEP=1         keep the temporary CLUSTER_DIR (PostgreSQL data, logs) afterwards
//   CLUSTER_DIR         use this folder: a cluster already running there is used as it is (and
//                       left running), else one is started there; default: a temporary folder,
//                       removed afterwards
//   CLUSTER_BUILD       passed to scripts/cluster.sh; default 0 when apps/api/dist and the web
//                       app's standalone build exist (build them first), else 1
//   Other CLUSTER_* and api settings are passed to scripts/cluster.sh as they are.
//
// Writes bench/results/soak-<time>.json (every sample) and bench/results/soak-<time>/ (the
// cluster's log), prints a markdown table. Exit code 0 when nothing was lost and every
// instance's connections went back to 0; 1 otherwise; 2 when the run could not be done. Every
// wait is bounded, and a watchdog stops the run (and what it started) if it ever overruns.
import { execFile, execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const clusterScript = path.join(repoRoot, 'scripts/cluster.sh');
const clientScript = path.join(here, 'client.mjs');
const HOST = '127.0.0.1';
const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Settings

function setting(name, fallback, { min = 0, max = Infinity, integer = true } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  )
    throw new Error(`${name} must be a${integer ? 'n integer' : ' number'} from ${min} to ${max}`);
  return value;
}

const opts = {
  connections: setting('SOAK_CONNECTIONS', 10_000, { min: 1, max: 50_000 }),
  minutes: setting('SOAK_MINUTES', 10, { min: 0.1, max: 120, integer: false }),
  rooms: setting('SOAK_ROOMS', 100, { min: 1, max: 10_000 }),
  chatters: setting('SOAK_CHATTERS', 5, { min: 0, max: 100 }),
  chatRate: setting('SOAK_CHAT_RATE', 1, { min: 0.01, max: 10, integer: false }),
  sampleS: setting('SOAK_SAMPLE_S', 10, { min: 1, max: 600 }),
  quietS: setting('SOAK_QUIET_S', 60, { min: 0, max: 600 }),
  settleS: setting('SOAK_SETTLE_S', 90, { min: 0, max: 600 }),
  recheckMinutes: setting('SOAK_RECHECK_MINUTES', 1, { min: 0, max: 60, integer: false }),
  procs: setting('SOAK_PROCS', 4, { min: 1, max: 32 }),
  concurrency: setting('SOAK_CONCURRENCY', 64, { min: 1, max: 1000 }),
  nginxLimits: process.env.SOAK_NGINX_LIMITS === '0' ? 'template' : 'auto',
  keep: process.env.SOAK_KEEP === '1',
};
opts.chatters = Math.min(opts.chatters, opts.rooms);

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const startedAt = Date.now();
const elapsedS = () => (Date.now() - startedAt) / 1000;
const log = (message) => console.error(`soak ${elapsedS().toFixed(0).padStart(5)} s  ${message}`);
const MiB = (bytes) => (bytes == null || !Number.isFinite(bytes) ? null : bytes / 2 ** 20);
const fmt = (value, digits = 1) =>
  value == null || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
const int = (value) =>
  value == null || !Number.isFinite(value) ? '—' : value.toLocaleString('en-US');
const readText = (file) => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
};

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
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

async function waitUntil(predicate, timeoutMs, intervalMs = 250) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await predicate()) return true;
    await sleep(intervalMs);
  }
  return Boolean(await predicate());
}

// ---------------------------------------------------------------------------------------------
// Processes: memory and file descriptors, from /proc

function procStatus(pid) {
  const text = readText(`/proc/${pid}/status`);
  const kib = (key) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  return text ? { rss: kib('VmRSS') } : null;
}

function pssBytes(pid) {
  const match = /^Pss:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/smaps_rollup`));
  return match ? Number(match[1]) * 1024 : null;
}

function alive(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return false;
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

function childrenOf(parent) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parent && fields[0] !== 'Z') out.push(Number(entry));
  }
  return out;
}

function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** RLIMIT_NOFILE of a process: soft (default) or hard. */
function maxOpenFiles(pid, which = 'soft') {
  const line = readText(`/proc/${pid}/limits`)
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return line ? Number(line.split(/\s+/)[which === 'soft' ? 3 : 4]) : null;
}

/** The executable of a process (nginx rewrites its command line into a title). */
function exeOf(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** RSS and PSS of a process and its children (nginx's workers, PostgreSQL's backends). */
function groupMemory(pid) {
  if (!pid || !alive(pid)) return null;
  const pids = [pid, ...childrenOf(pid)];
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    rss += procStatus(p)?.rss ?? 0;
    pss += pssBytes(p) ?? 0;
  }
  return { processes: pids.length, rss, pss };
}

// ---------------------------------------------------------------------------------------------
// The cluster

const cluster = {
  dir: null,
  temporary: false,
  external: false,
  proc: null,
  exited: null,
  outputPath: null,
  instances: [],
  nginx: null,
  redis: null,
  postgresPid: null,
  url: null,
  nginxOverride: null,
};

function readCluster() {
  const run = path.join(cluster.dir, 'run');
  const count = Number(readText(path.join(run, 'instances')));
  cluster.instances = Array.from({ length: count }, (_, k) => ({
    name: `api-${k + 1}`,
    port: Number(readText(path.join(run, `api-${k + 1}.port`))),
    pid: Number(readText(path.join(run, `api-${k + 1}.pid`))),
  }));
  cluster.nginx = {
    port: Number(readText(path.join(run, 'nginx.port'))),
    pid: Number(readText(path.join(run, 'nginx.pid'))),
  };
  cluster.url = readText(path.join(run, 'url'));
  cluster.redis = {
    port: Number(readText(path.join(cluster.dir, 'redis/port'))),
    pid: Number(readText(path.join(cluster.dir, 'redis/redis.pid'))),
  };
  cluster.postgresPid = Number(
    readText(path.join(cluster.dir, 'postgres/data/postmaster.pid')).split('\n')[0],
  );
}

function supervisorAlive(dir) {
  const pid = Number(readText(path.join(dir, 'run/supervisor.pid')));
  return pid > 0 && alive(pid) && readText(`/proc/${pid}/cmdline`).includes('cluster.sh');
}

async function startCluster(runDir) {
  const given = process.env.CLUSTER_DIR;
  if (given) {
    cluster.dir = path.resolve(given);
    if (supervisorAlive(cluster.dir)) {
      cluster.external = true;
      readCluster();
      log(`using the cluster running in ${cluster.dir} (left running afterwards)`);
      return;
    }
  } else {
    cluster.dir = mkdtempSync(path.join(tmpdir(), 'duplex-soak-'));
    // As root, PostgreSQL runs as the user postgres, who must reach its folder inside this one.
    chmodSync(cluster.dir, 0o755);
    cluster.temporary = true;
  }
  const env = { ...process.env, CLUSTER_DIR: cluster.dir };
  delete env.NODE_OPTIONS;
  if (env.CLUSTER_BUILD === undefined) {
    const built =
      existsSync(path.join(repoRoot, 'apps/api/dist/main.js')) &&
      existsSync(path.join(repoRoot, 'apps/web/.next/standalone/apps/web/server.js'));
    env.CLUSTER_BUILD = built ? '0' : '1';
  }
  // A port of our own, so the soak never takes 8080 from a cluster someone starts meanwhile.
  if (!env.CLUSTER_PORT) env.CLUSTER_PORT = String(await freePort());
  // The api instances and nginx inherit this limit from scripts/cluster.sh.
  const fds = Math.max(65_536, 2 * opts.connections + 4096);
  cluster.outputPath = path.join(runDir, 'cluster-sh.log');
  const out = openSync(cluster.outputPath, 'a');
  log(`starting scripts/cluster.sh in ${cluster.dir} (CLUSTER_BUILD=${env.CLUSTER_BUILD})`);
  cluster.proc = spawn(
    'bash',
    [
      '-c',
      `ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec bash "$0"`,
      clusterScript,
    ],
    { cwd: repoRoot, env, stdio: ['ignore', out, out] },
  );
  cluster.proc.once('exit', (code, signal) => {
    cluster.exited = { code, signal };
  });
  const ready = await waitUntil(
    () => cluster.exited !== null || readText(cluster.outputPath).includes('Duplex cluster:'),
    env.CLUSTER_BUILD === '0' ? 180_000 : 900_000,
    500,
  );
  if (!ready || cluster.exited) {
    const tail = readText(cluster.outputPath).split('\n').slice(-30).join('\n');
    throw new Error(
      `scripts/cluster.sh did not start the cluster (${cluster.exited ? `exited ${JSON.stringify(cluster.exited)}` : 'timeout'}):\n${tail}`,
    );
  }
  readCluster();
}

async function stopCluster() {
  if (!cluster.proc || cluster.external) return;
  if (cluster.exited === null) {
    log('stopping the cluster (scripts/cluster.sh)');
    cluster.proc.kill('SIGTERM');
    const stopped = await waitUntil(() => cluster.exited !== null, 90_000, 250);
    if (!stopped)
      log('scripts/cluster.sh did not stop within 90 s: stop it yourself (see its pid files)');
  }
  if (cluster.temporary && !opts.keep && cluster.exited !== null) {
    rmSync(cluster.dir, { recursive: true, force: true });
  } else if (cluster.temporary) {
    log(`kept ${cluster.dir}`);
  }
}

/**
 * nginx's capacity against what the soak needs: every client socket is two connections of one
 * worker (client side, api side). When the template cannot hold them, the soak's own copy of the
 * configuration in CLUSTER_DIR is raised and reloaded (deploy/nginx.conf is not touched).
 */
async function checkNginxCapacity() {
  const confPath = path.join(cluster.dir, 'nginx/nginx.conf');
  const conf = readText(confPath);
  const workerConnections = Number(/worker_connections\s+(\d+)\s*;/.exec(conf)?.[1] ?? 512);
  const rlimit = Number(/worker_rlimit_nofile\s+(\d+)\s*;/.exec(conf)?.[1] ?? NaN);
  const workers = childrenOf(cluster.nginx.pid);
  const workerFdLimit = workers.length > 0 ? maxOpenFiles(workers[0]) : null;
  const needed = 2 * (opts.connections + opts.chatters) + 64;
  const template = {
    workerProcesses: workers.length,
    workerConnections,
    workerRlimitNofile: Number.isFinite(rlimit) ? rlimit : null,
    workerMaxOpenFiles: workerFdLimit,
    // Every worker full, perfectly balanced: the most client WebSockets it could ever proxy.
    maxClientsBalanced: Math.floor(
      (workers.length * Math.min(workerConnections, workerFdLimit ?? Infinity)) / 2,
    ),
    maxClientsOneWorker: Math.floor(Math.min(workerConnections, workerFdLimit ?? Infinity) / 2),
    neededPerWorkerWorstCase: needed,
  };
  const enough = workerConnections >= needed && (workerFdLimit ?? 0) >= needed + 64;
  cluster.nginxOverride = { template, applied: false };
  if (enough) return;
  log(
    `nginx as configured: ${workers.length} workers × worker_connections ${workerConnections}, ` +
      `open files ${workerFdLimit} per worker; ${opts.connections} clients need up to ${needed} in one worker`,
  );
  if (opts.nginxLimits === 'template' || cluster.external) {
    log('running with it as it is (SOAK_NGINX_LIMITS=0 or a cluster not started by the soak)');
    return;
  }
  // A worker may not open more files than the master's hard limit (raising it needs
  // CAP_SYS_RESOURCE); the soak asks for what it needs, up to that.
  const hardLimit = maxOpenFiles(cluster.nginx.pid, 'hard') ?? Infinity;
  const newRlimit = Math.min(needed + 2048, hardLimit);
  const newConnections = Math.min(needed + 1024, newRlimit);
  if (newRlimit < needed + 64)
    log(
      `the hard limit on open files (${hardLimit}) keeps one nginx worker below the worst case ` +
        `(${needed}): the soak relies on nginx spreading the clients over its ${workers.length} workers`,
    );
  let raised = conf.replace(
    /worker_connections\s+\d+\s*;/,
    `worker_connections ${newConnections};`,
  );
  if (!/worker_connections\s+\d+\s*;/.test(conf))
    raised = raised.replace(/events\s*\{/, `events { worker_connections ${newConnections};`);
  raised = /worker_rlimit_nofile\s+\d+\s*;/.test(raised)
    ? raised.replace(/worker_rlimit_nofile\s+\d+\s*;/, `worker_rlimit_nofile ${newRlimit};`)
    : raised.replace(/^(worker_processes[^\n]*\n)/m, `$1worker_rlimit_nofile ${newRlimit};\n`);
  writeFileSync(
    confPath,
    `# Raised by bench/soak/run.mjs for ${opts.connections} connections.\n${raised}`,
  );
  const nginxBin = exeOf(cluster.nginx.pid) || 'nginx';
  const globals = `daemon off;${process.getuid?.() === 0 ? ' user root;' : ''}`;
  const prefix = path.join(cluster.dir, 'nginx');
  // Through a real pipe, as scripts/cluster.sh does: the access log opens /dev/stderr, which
  // fails on the socket Node would give it.
  execFileSync(
    'bash',
    [
      '-c',
      'set -o pipefail; "$@" 2>&1 | cat >&2',
      'nginx-test',
      nginxBin,
      ...['-t', '-q', '-p', `${prefix}/`, '-c', confPath, '-e', 'stderr', '-g', globals],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  process.kill(cluster.nginx.pid, 'SIGHUP');
  const reloaded = await waitUntil(
    () => {
      const now = childrenOf(cluster.nginx.pid);
      return (
        now.length === workers.length &&
        now.every((p) => !workers.includes(p) && maxOpenFiles(p) >= newRlimit)
      );
    },
    20_000,
    200,
  );
  if (!reloaded) throw new Error('nginx did not reload with the raised limits within 20 s');
  cluster.nginxOverride = {
    template,
    applied: true,
    hardLimit,
    workerConnections: newConnections,
    workerRlimitNofile: newRlimit,
  };
  log(
    `raised in the soak's copy and reloaded: worker_connections ${newConnections}, worker_rlimit_nofile ${newRlimit}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Samples

function parseMetrics(text) {
  const value = (name) => {
    const match = new RegExp(`^${name.replace(/[{}"/]/g, '\\$&')} ([0-9.e+-]+)`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  return {
    connections: value('duplex_ws_connections{endpoint="/ws"}') ?? 0,
    rssMetric: value('process_resident_memory_bytes'),
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
    cpuSeconds: value('process_cpu_seconds_total'),
    openFds: value('process_open_fds'),
    eventLoopLagP99: value('nodejs_eventloop_lag_p99_seconds'),
  };
}

async function instanceSample(instance) {
  let metrics = null;
  try {
    const response = await fetch(`http://${HOST}:${instance.port}/metrics`, {
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) metrics = parseMetrics(await response.text());
  } catch {
    // counted as unanswered below
  }
  return {
    name: instance.name,
    alive: alive(instance.pid),
    rss: procStatus(instance.pid)?.rss ?? null,
    ...(metrics ?? { connections: null }),
    metricsAnswered: metrics !== null,
  };
}

async function redisInfo() {
  try {
    const { stdout } = await execFileAsync(
      'redis-cli',
      ['-h', HOST, '-p', String(cluster.redis.port), 'info', 'memory'],
      { timeout: 3000 },
    );
    const used = /^used_memory:(\d+)/m.exec(stdout);
    const { stdout: keys } = await execFileAsync(
      'redis-cli',
      ['-h', HOST, '-p', String(cluster.redis.port), 'dbsize'],
      { timeout: 3000 },
    );
    return { usedMemory: used ? Number(used[1]) : null, keys: Number(keys.trim()) };
  } catch {
    return { usedMemory: null, keys: null };
  }
}

async function sample(phase, clientStatus) {
  const at = new Date().toISOString();
  const instances = await Promise.all(cluster.instances.map(instanceSample));
  const workers = childrenOf(cluster.nginx.pid);
  const nginx = groupMemory(cluster.nginx.pid);
  if (nginx) {
    nginx.workers = workers.map((pid) => ({
      pid,
      rss: procStatus(pid)?.rss ?? null,
      fds: fdCount(pid),
    }));
  }
  const redisProc = cluster.redis.pid ? procStatus(cluster.redis.pid) : null;
  const redis = { rss: redisProc?.rss ?? null, ...(await redisInfo()) };
  const postgres = groupMemory(cluster.postgresPid);
  return {
    phase,
    t: Math.round(elapsedS()),
    at,
    loadavg: loadavg(),
    instances,
    nginx,
    redis,
    postgres,
    clients: clientStatus ?? null,
  };
}

function sampleLine(s) {
  const conns = s.instances.map((i) => i.connections ?? '-').join('/');
  const rss = s.instances.map((i) => fmt(MiB(i.rss), 0)).join('/');
  const c = s.clients;
  return (
    `${s.phase.padEnd(9)} ws ${conns}  api RSS MiB ${rss}  nginx ${fmt(MiB(s.nginx?.rss), 0)}  ` +
    `redis ${fmt(MiB(s.redis.rss), 0)}  pg PSS ${fmt(MiB(s.postgres?.pss), 0)}` +
    (c ? `  clients open ${c.open} lost ${c.lost} delivered ${c.delivered}` : '') +
    `  load ${s.loadavg[0].toFixed(2)}`
  );
}

// ---------------------------------------------------------------------------------------------
// Load processes

const loaders = [];

function startLoaders() {
  const perProc = Math.ceil(opts.connections / opts.procs);
  const fds = perProc + 1024;
  const started = [];
  for (let k = 0; k < opts.procs; k += 1) {
    const child = fork(clientScript, [], {
      execPath: 'bash',
      execArgv: [
        '-c',
        `ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`,
        process.execPath,
      ],
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const loader = { k, child, inbox: [], waiters: [], exited: null };
    child.on('message', (message) => {
      const index = loader.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) loader.waiters.splice(index, 1)[0].resolve(message);
      else loader.inbox.push(message);
      if (message.type === 'progress') loader.progress = message;
      if (message.type === 'fatal') log(`load process ${k}: ${message.error}`);
    });
    child.once('exit', (code, signal) => {
      loader.exited = { code, signal };
    });
    loaders.push(loader);
    started.push(
      expect(loader, 'ready', 15_000).then((m) => {
        loader.maxOpenFiles = m.maxOpenFiles;
        if (m.maxOpenFiles < perProc + 64)
          throw new Error(
            `load process ${k} may open only ${m.maxOpenFiles} files, needs ${perProc + 64}: raise the hard limit (ulimit -Hn) or SOAK_PROCS`,
          );
      }),
    );
  }
  return Promise.all(started);
}

function expect(loader, type, timeoutMs) {
  const queued = loader.inbox.findIndex((m) => m.type === type);
  if (queued >= 0) return Promise.resolve(loader.inbox.splice(queued, 1)[0]);
  return new Promise((resolve, reject) => {
    const waiter = { type, resolve };
    loader.waiters.push(waiter);
    setTimeout(() => {
      const index = loader.waiters.indexOf(waiter);
      if (index >= 0) {
        loader.waiters.splice(index, 1);
        reject(new Error(`load process ${loader.k}: no ${type} within ${timeoutMs / 1000} s`));
      }
    }, timeoutMs);
  });
}

async function ask(type, payload = {}, timeoutMs = 10_000, reply = type) {
  return Promise.all(
    loaders.map((loader) => {
      loader.child.send({ type, ...payload });
      return expect(loader, reply, timeoutMs);
    }),
  );
}

async function clientStatus() {
  try {
    const all = await ask('status', {}, 10_000);
    const sum = (key) => all.reduce((n, s) => n + s[key], 0);
    const merge = (key) => {
      const out = {};
      for (const s of all) for (const [k, v] of Object.entries(s[key])) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    return {
      open: sum('open'),
      lost: sum('lost'),
      lostByCode: merge('lostByCode'),
      lostEvents: all.flatMap((s) => s.lostEvents).slice(0, 50),
      errorFrames: merge('errorFrames'),
      delivered: sum('delivered') + chat.delivered,
      duplicates: sum('duplicates'),
      unexpectedChat: sum('unexpectedChat'),
      loadRssBytes: sum('rssBytes'),
      chatSent: chat.sent,
      chatAcked: chat.acked,
    };
  } catch (error) {
    log(`client status: ${error.message}`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Chatters: a few connections through nginx that send into some of the rooms and receive there

const roomName = (r) => `soak-${r}`;
const chatRoomIndexes = Array.from({ length: opts.chatters }, (_, j) =>
  Math.floor((j * opts.rooms) / Math.max(1, opts.chatters)),
);
const chat = {
  chatters: [],
  sent: 0,
  acked: 0,
  errors: {},
  delivered: 0,
  ackedSeqs: {},
  ackMs: [],
  latencies: [],
  lost: 0,
  lostEvents: [],
  timer: null,
};

function openChatter(j, wsUrl) {
  const room = roomName(chatRoomIndexes[j]);
  return new Promise((resolve, reject) => {
    const c = { j, room, ws: null, pending: new Map(), seqs: new Set(), closing: false, n: 0 };
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    c.ws = ws;
    const timer = setTimeout(() => reject(new Error(`chatter ${j}: not joined in 30 s`)), 30_000);
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ event: 'hello', id: 'h', data: { protocol: 1, name: `chatter-${j}` } }),
      ),
    );
    ws.on('error', (error) => reject(new Error(`chatter ${j}: ${error.message}`)));
    ws.on('close', (code, reason) => {
      if (!c.closing) {
        chat.lost += 1;
        chat.lostEvents.push({
          chatter: j,
          code,
          reason: reason.toString(),
          at: new Date().toISOString(),
        });
      }
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      const { event, id, data } = frame;
      if (event === 'chat.message') {
        if (data.room === room && !c.seqs.has(data.seq)) {
          c.seqs.add(data.seq);
          chat.delivered += 1;
          const sentAt = Number(String(data.text).split('|')[3]);
          if (Number.isFinite(sentAt)) chat.latencies.push(Date.now() - sentAt);
        }
        return;
      }
      if (id === 'h') {
        if (event === 'ack')
          ws.send(JSON.stringify({ event: 'room.join', id: 'j', data: { room } }));
        else reject(new Error(`chatter ${j}: hello failed ${JSON.stringify(data)}`));
      } else if (id === 'j') {
        clearTimeout(timer);
        if (event === 'ack') resolve(c);
        else reject(new Error(`chatter ${j}: room.join failed ${JSON.stringify(data)}`));
      } else if (id?.startsWith('m')) {
        const sentAt = c.pending.get(id);
        c.pending.delete(id);
        if (event === 'ack') {
          chat.acked += 1;
          (chat.ackedSeqs[room] ??= []).push(data.seq);
          if (sentAt !== undefined) chat.ackMs.push(performance.now() - sentAt);
        } else {
          chat.errors[data?.code ?? 'unknown'] = (chat.errors[data?.code ?? 'unknown'] ?? 0) + 1;
        }
      } else if (event === 'error') {
        chat.errors[data?.code ?? 'unknown'] = (chat.errors[data?.code ?? 'unknown'] ?? 0) + 1;
      }
    });
  });
}

function startChat() {
  const intervalMs = 1000 / opts.chatRate;
  const t0 = performance.now();
  let ticks = 0;
  const tick = () => {
    // Each chatter sends once per interval, the chatters staggered over it.
    const due = Math.floor(((performance.now() - t0) / intervalMs) * chat.chatters.length);
    while (ticks < due) {
      const c = chat.chatters[ticks % chat.chatters.length];
      ticks += 1;
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      c.n += 1;
      const id = `m${c.j}.${c.n}`;
      c.pending.set(id, performance.now());
      c.ws.send(
        JSON.stringify({
          event: 'chat.send',
          id,
          data: {
            room: c.room,
            clientId: `soak-${c.j}-${c.n}`,
            text: `soak|${c.j}|${c.n}|${Date.now()}`,
          },
        }),
      );
      chat.sent += 1;
    }
  };
  chat.timer = setInterval(
    tick,
    Math.max(20, Math.min(250, intervalMs / Math.max(1, chat.chatters.length))),
  );
}

// ---------------------------------------------------------------------------------------------
// The report

/** The median of `pick` over some samples (nulls left out). */
function median(list, pick) {
  const values = list
    .map(pick)
    .filter((v) => v != null && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/**
 * Memory before, with everything connected, and after: each the median over a few samples
 * (`before`, `connected`, `after` are lists of samples), since RSS moves with every GC.
 */
function memoryRows(before, connected, after, connectedNow, after2) {
  const rows = [];
  cluster.instances.forEach((instance, k) => {
    const at = (list, key) => median(list, (s) => s.instances[k][key]);
    const conns = connectedNow.instances[k].connections ?? 0;
    const row = {
      process: `${instance.name} (${int(conns)} connections)`,
      name: instance.name,
      connections: conns,
      before: at(before, 'rss'),
      connected: at(connected, 'rss'),
      after: at(after, 'rss'),
      after2: after2 ? at(after2, 'rss') : null,
      heapBefore: at(before, 'heapUsed'),
      heapConnected: at(connected, 'heapUsed'),
      heapAfter: at(after, 'heapUsed'),
      heapAfter2: after2 ? at(after2, 'heapUsed') : null,
      connectionsAfter: after[after.length - 1].instances[k].connections,
    };
    row.perConnection = conns > 0 ? (row.connected - row.before) / conns : null;
    row.heapPerConnection = conns > 0 ? (row.heapConnected - row.heapBefore) / conns : null;
    rows.push(row);
  });
  const total = opts.connections + opts.chatters;
  const other = (label, pick) => {
    const [b, c, a] = [median(before, pick), median(connected, pick), median(after, pick)];
    rows.push({
      process: label,
      before: b,
      connected: c,
      after: a,
      after2: after2 ? median(after2, pick) : null,
      perConnection: b != null && c != null ? (c - b) / total : null,
    });
  };
  other(`nginx, master + workers, RSS sum (${int(total)} proxied)`, (s) => s.nginx?.rss);
  other('Redis', (s) => s.redis.rss);
  // Backends share PostgreSQL's buffers: a sum of their RSS counts those pages many times.
  other('PostgreSQL, all processes, PSS sum', (s) => s.postgres?.pss);
  return rows;
}

function markdown(result) {
  const { rows, summary } = result;
  const round2 = rows.some((r) => r.after2 != null);
  const lines = [];
  lines.push(
    `| process (RSS unless said) | before connecting | ${int(opts.connections + opts.chatters)} connected | ` +
      `after close + quiet |${round2 ? ' after round 2 + quiet |' : ''} per connection: (connected − before) / connections | ` +
      `V8 heap used: before → connected → after${round2 ? ' → after round 2' : ''} |`,
  );
  lines.push(`| --- | ---: | ---: | ---: |${round2 ? ' ---: |' : ''} ---: | ---: |`);
  for (const r of rows) {
    const heap =
      r.heapBefore != null
        ? `${[r.heapBefore, r.heapConnected, r.heapAfter, ...(round2 ? [r.heapAfter2] : [])]
            .map((v) => fmt(MiB(v)))
            .join(' → ')} MiB`
        : '—';
    lines.push(
      `| ${r.process} | ${fmt(MiB(r.before))} MiB | ${fmt(MiB(r.connected))} MiB | ${fmt(MiB(r.after))} MiB | ` +
        `${round2 ? `${fmt(MiB(r.after2))} MiB | ` : ''}` +
        `${r.perConnection == null ? '—' : `${fmt(r.perConnection / 1024)} KiB`} | ${heap} |`,
    );
  }
  lines.push('');
  lines.push('| what | result |');
  lines.push('| --- | ---: |');
  for (const [what, value] of summary) lines.push(`| ${what} | ${value} |`);
  return lines.join('\n');
}

function overTimeTable(samples) {
  // One line a minute (and each phase's first sample), so the table stays readable.
  const lines = [
    `| t (s) | phase | ws per instance | api RSS MiB per instance | nginx RSS MiB | Redis RSS MiB | PostgreSQL PSS MiB | open | lost | delivered |`,
    '| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let lastMinute = -1;
  let lastPhase = '';
  for (const s of samples) {
    const minute = Math.floor(s.t / 60);
    if (minute === lastMinute && s.phase === lastPhase) continue;
    lastMinute = minute;
    lastPhase = s.phase;
    lines.push(
      `| ${s.t} | ${s.phase} | ${s.instances.map((i) => i.connections ?? '-').join(' / ')} | ` +
        `${s.instances.map((i) => fmt(MiB(i.rss))).join(' / ')} | ${fmt(MiB(s.nginx?.rss))} | ` +
        `${fmt(MiB(s.redis.rss))} | ${fmt(MiB(s.postgres?.pss))} | ${s.clients ? int(s.clients.open) : '—'} | ` +
        `${s.clients ? int(s.clients.lost) : '—'} | ${s.clients ? int(s.clients.delivered) : '—'} |`,
    );
  }
  return lines.join('\n');
}

/** Least-squares slope of y over t, per minute. */
function slopePerMinute(points) {
  if (points.length < 3) return null;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den > 0 ? (num / den) * 60 : null;
}

function machineFacts() {
  // stdout, else stderr (where `nginx -v` writes), first line.
  const version = (cmd, args) => {
    try {
      const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
      return (result.stdout.trim() || result.stderr.trim()).split('\n')[0] || null;
    } catch {
      return null;
    }
  };
  const nginxBin = cluster.nginx?.pid ? exeOf(cluster.nginx.pid) : null;
  const pgBin = cluster.postgresPid ? exeOf(cluster.postgresPid) : null;
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    node: process.version,
    nginx: version(nginxBin || 'nginx', ['-v']),
    redis: version('redis-server', ['--version']),
    postgres: pgBin ? version(pgBin, ['--version']) : null,
    ipLocalPortRange: readText('/proc/sys/net/ipv4/ip_local_port_range'),
    somaxconn: readText('/proc/sys/net/core/somaxconn'),
    openFilesHardLimit: maxOpenFiles(process.pid, 'hard'),
    apiOpenFilesLimit: cluster.instances[0] ? maxOpenFiles(cluster.instances[0].pid) : null,
    gitHead: version('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']),
    apiDistMtime: (() => {
      try {
        return statSync(path.join(repoRoot, 'apps/api/dist/main.js')).mtime.toISOString();
      } catch {
        return null;
      }
    })(),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  const connectBudgetS = 120 + opts.connections * 0.05;
  const roundS = connectBudgetS + 60 + 30 + opts.quietS;
  const budgetS =
    240 +
    opts.settleS +
    opts.minutes * 60 +
    roundS +
    180 +
    (opts.recheckMinutes > 0 ? roundS + opts.recheckMinutes * 60 : 0);
  const watchdog = setTimeout(() => {
    log('watchdog: the run overran its time budget; stopping');
    shutdown(3);
  }, budgetS * 1000);
  watchdog.unref();

  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(resultsDir, `soak-${runId}`);
  mkdirSync(runDir, { recursive: true });
  const samples = [];
  const meta = { startedAt: new Date().toISOString(), options: opts, loadavgStart: loadavg() };
  log(
    `${opts.connections} idle connections in ${opts.rooms} rooms for ${opts.minutes} min, ` +
      `${opts.chatters} chatters at ${opts.chatRate}/s each; samples every ${opts.sampleS} s`,
  );

  await startCluster(runDir);
  meta.machine = machineFacts();
  meta.cluster = {
    dir: cluster.dir,
    url: cluster.url,
    instances: cluster.instances,
    nginx: cluster.nginx,
  };
  log(
    `cluster at ${cluster.url}: ${cluster.instances.map((i) => `${i.name}:${i.port}`).join(' ')}`,
  );
  await checkNginxCapacity();
  meta.nginx = cluster.nginxOverride;

  await startLoaders();
  log(
    `${loaders.length} load processes, open files each ${loaders.map((l) => l.maxOpenFiles).join('/')}`,
  );

  // Before: the idle cluster, settled; three samples 5 s apart.
  await sleep(opts.settleS * 1000);
  const befores = [];
  for (let n = 0; n < 3; n += 1) {
    if (n > 0) await sleep(5000);
    const s = await sample('before');
    befores.push(s);
    samples.push(s);
    log(sampleLine(s));
  }

  // Sampling in the background from here on, with the phase of the moment.
  let phase = 'connect';
  let sampling = true;
  const startSampler = async () => {
    let next = performance.now() + opts.sampleS * 1000;
    while (sampling) {
      await sleep(Math.max(0, next - performance.now()));
      next += opts.sampleS * 1000;
      if (!sampling) break;
      const s = await sample(phase, await clientStatus());
      samples.push(s);
      log(sampleLine(s));
    }
  };
  const sampler = startSampler();

  // Connect: the idle clients, in the load processes, spread round robin by nginx.
  const wsUrl = `${cluster.url.replace(/^http/, 'ws')}/ws`;
  const chatRooms = chatRoomIndexes.map(roomName);
  const connectRound = async (round, rooms) => {
    const specs = Array.from({ length: opts.connections }, (_, i) => ({
      i: (round - 1) * opts.connections + i,
      room: roomName(i % opts.rooms),
      name: round === 1 ? `soak-${i}` : `soak-${round}-${i}`,
    }));
    const connectStart = performance.now();
    const perProc = opts.connections / loaders.length;
    const replies = await Promise.all(
      loaders.map((loader) => {
        loader.child.send({
          type: 'connect',
          url: wsUrl,
          specs: specs.slice(Math.round(loader.k * perProc), Math.round((loader.k + 1) * perProc)),
          concurrency: Math.max(1, Math.round(opts.concurrency / loaders.length)),
          rooms,
        });
        return expect(loader, 'connected', connectBudgetS * 1000);
      }),
    );
    const result = {
      seconds: (performance.now() - connectStart) / 1000,
      joined: replies.reduce((n, r) => n + r.joined, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      failureReasons: {},
      failureExamples: replies.flatMap((r) => r.failureExamples).slice(0, 20),
      joinMsP50: Math.max(...replies.map((r) => r.joinMsP50 ?? 0)),
      joinMsP99: Math.max(...replies.map((r) => r.joinMsP99 ?? 0)),
      joinMsMax: Math.max(...replies.map((r) => r.joinMsMax ?? 0)),
    };
    for (const r of replies)
      for (const [k, v] of Object.entries(r.failureReasons))
        result.failureReasons[k] = (result.failureReasons[k] ?? 0) + v;
    log(
      `round ${round}: connected ${result.joined} of ${opts.connections} in ${result.seconds.toFixed(1)} s` +
        (result.failed
          ? `; ${result.failed} failed: ${JSON.stringify(result.failureReasons)}`
          : ''),
    );
    return result;
  };
  // Closes every connection of the load processes; resolves when every instance is at 0.
  const closeRound = async () => {
    const closeStart = performance.now();
    const replies = await ask('close', {}, 60_000, 'closed');
    let zeroAfterS = null;
    const zero = await waitUntil(
      async () => {
        const counts = await Promise.all(cluster.instances.map(instanceSample));
        const done = counts.every((c) => c.connections === 0);
        if (done && zeroAfterS === null) zeroAfterS = (performance.now() - closeStart) / 1000;
        return done;
      },
      60_000,
      500,
    );
    log(
      zero
        ? `every instance at 0 connections ${zeroAfterS.toFixed(1)} s after the close`
        : 'NOT every instance went back to 0 connections within 60 s',
    );
    return { replies, zero, zeroAfterS };
  };
  const connect = await connectRound(1, chatRooms);

  // Chat into some of the rooms for the whole hold.
  for (let j = 0; j < opts.chatters; j += 1) chat.chatters.push(await openChatter(j, wsUrl));
  phase = 'hold';
  const holdStart = performance.now();
  const holdStartT = Math.round(elapsedS());
  if (chat.chatters.length > 0) startChat();
  log(`holding for ${opts.minutes} min`);
  while (performance.now() - holdStart < opts.minutes * 60_000) await sleep(1000);
  clearInterval(chat.timer);
  // Acks and deliveries of the last sends.
  await waitUntil(() => chat.chatters.every((c) => c.pending.size === 0), 15_000, 100);
  await sleep(3000);
  const holdEndT = Math.round(elapsedS());
  const connected = await sample('connected', await clientStatus());
  samples.push(connected);
  log(sampleLine(connected));

  // Delivery check: every acked message in every member's hands (members that stayed connected).
  const verifies = await ask('verify', { acked: chat.ackedSeqs }, 60_000);
  const delivery = {
    sent: chat.sent,
    acked: chat.acked,
    unacked: chat.chatters.reduce((n, c) => n + c.pending.size, 0),
    sendErrors: chat.errors,
    members: verifies.reduce((n, v) => n + v.members, 0) + chat.chatters.length,
    membersLost: verifies.reduce((n, v) => n + v.membersLost, 0),
    expected: verifies.reduce((n, v) => n + v.expected, 0),
    received: verifies.reduce((n, v) => n + v.received, 0),
    missing: verifies.reduce((n, v) => n + v.missing, 0),
    notAcked: verifies.reduce((n, v) => n + v.notAcked, 0),
    missingExamples: verifies.flatMap((v) => v.missingExamples).slice(0, 20),
  };
  for (const c of chat.chatters) {
    const acked = chat.ackedSeqs[c.room] ?? [];
    delivery.expected += acked.length;
    for (const seq of acked) {
      if (c.seqs.has(seq)) delivery.received += 1;
      else delivery.missing += 1;
    }
  }
  const latencies = verifies
    .flatMap((v) => v.latencies)
    .concat(chat.latencies)
    .sort((a, b) => a - b);
  const ackMs = [...chat.ackMs].sort((a, b) => a - b);
  delivery.latencyMs = {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? null,
  };
  delivery.ackMs = {
    p50: percentile(ackMs, 0.5),
    p99: percentile(ackMs, 0.99),
    max: ackMs[ackMs.length - 1] ?? null,
  };

  // Close everything, then: back to 0 connections, and memory after a quiet minute.
  phase = 'close';
  for (const c of chat.chatters) {
    c.closing = true;
    c.ws.close(1000, 'soak done');
  }
  const closed = await closeRound();
  const { zero, zeroAfterS } = closed;
  phase = 'quiet';
  await sleep(opts.quietS * 1000);
  sampling = false;
  await sampler;
  const after = await sample('after', await clientStatus());
  samples.push(after);
  log(sampleLine(after));

  // Round 2, the leak check proper: the same number of connections again, held briefly without
  // chat, closed, quiet again. Memory a process keeps for reuse (V8's heap, malloc's arenas)
  // serves round 2 as well; memory lost with each connection adds up.
  let round2 = null;
  let after2 = null;
  let connected2 = null;
  if (opts.recheckMinutes > 0) {
    phase = 'connect-2';
    sampling = true;
    const sampler2 = startSampler();
    const connect2 = await connectRound(2, []);
    phase = 'hold-2';
    await sleep(opts.recheckMinutes * 60_000);
    connected2 = await sample('connected-2', await clientStatus());
    samples.push(connected2);
    log(sampleLine(connected2));
    phase = 'close-2';
    const closed2 = await closeRound();
    phase = 'quiet-2';
    await sleep(opts.quietS * 1000);
    sampling = false;
    await sampler2;
    after2 = await sample('after-2', await clientStatus());
    samples.push(after2);
    log(sampleLine(after2));
    round2 = { connect: connect2, close: closed2 };
  }
  const finalStatus = (after2 ?? after).clients;

  // Memory over the hold: slope of each instance's RSS and heap over its second half.
  const hold = samples.filter((s) => s.phase === 'hold' && s.t >= (holdStartT + holdEndT) / 2);
  const slopes = cluster.instances.map((instance, k) => ({
    name: instance.name,
    rssMiBPerMin: slopePerMinute(hold.map((s) => ({ t: s.t, y: MiB(s.instances[k].rss) }))),
    heapMiBPerMin: slopePerMinute(hold.map((s) => ({ t: s.t, y: MiB(s.instances[k].heapUsed) }))),
  }));
  const holdSamples = samples.filter((s) => s.phase === 'hold');
  const minMax = (pick) => {
    const values = holdSamples.map(pick).filter((v) => v != null);
    return values.length ? [Math.min(...values), Math.max(...values)] : [null, null];
  };

  // With everything connected: the last minute of the hold; after: the end of the quiet time.
  const connecteds = [
    ...samples.filter((s) => s.phase === 'hold' && s.t >= holdEndT - 60),
    connected,
  ];
  const afters = [...samples.filter((s) => s.phase === 'quiet').slice(-2), after];
  const afters2 = after2
    ? [...samples.filter((s) => s.phase === 'quiet-2').slice(-2), after2]
    : null;
  const rows = memoryRows(befores, connecteds, afters, connected, afters2);
  const lost = (finalStatus?.lost ?? NaN) + chat.lost;
  const checks = {
    noneFailedToConnect: connect.failed === 0,
    noneLost: lost === 0,
    noDeliveryMissing: delivery.missing === 0 && delivery.unacked === 0,
    backToZero: zero,
  };
  if (round2) {
    checks.round2NoneFailedToConnect = round2.connect.failed === 0;
    checks.round2BackToZero = round2.close.zero;
  }
  const apiConns = connected.instances.map((i) => i.connections);
  const summary = [
    [
      'connections opened (hello + room.join acked)',
      `${int(connect.joined)} of ${int(opts.connections)} in ${fmt(connect.seconds)} s, + ${chat.chatters.length} chatters`,
    ],
    [
      'failed to connect',
      `${int(connect.failed)}${
        connect.failed
          ? ` (${Object.entries(connect.failureReasons)
              .map(([k, v]) => `${v}× ${k}`)
              .join('; ')})`
          : ''
      }`,
    ],
    [
      'hello → join ack, per connection (slowest load process): p50 / p99 / max',
      `${fmt(connect.joinMsP50)} / ${fmt(connect.joinMsP99)} / ${fmt(connect.joinMsMax)} ms`,
    ],
    ['spread over the instances (at the end of the hold)', apiConns.map(int).join(' / ')],
    ['held for', `${opts.minutes} min`],
    [
      'connections lost (closes nobody asked for)',
      `${int(lost)}${lost ? ` (codes ${JSON.stringify({ ...finalStatus?.lostByCode })}${chat.lost ? `, ${chat.lost} chatters` : ''})` : ''}`,
    ],
    [
      'chat: sent / acked / unacked / send errors',
      `${int(delivery.sent)} / ${int(delivery.acked)} / ${int(delivery.unacked)} / ${Object.keys(delivery.sendErrors).length ? JSON.stringify(delivery.sendErrors) : 0}`,
    ],
    [
      'chat: deliveries owed to members that stayed connected / received / missing',
      `${int(delivery.expected)} / ${int(delivery.received)} / ${int(delivery.missing)} (${int(delivery.members)} members in ${chat.chatters.length} rooms)`,
    ],
    [
      'chat: delivery latency p50 / p99 / max (ms, send → member)',
      `${fmt(delivery.latencyMs.p50, 0)} / ${fmt(delivery.latencyMs.p99, 0)} / ${fmt(delivery.latencyMs.max, 0)}`,
    ],
    [
      'chat: ack latency p50 / p99 / max (ms)',
      `${fmt(delivery.ackMs.p50)} / ${fmt(delivery.ackMs.p99)} / ${fmt(delivery.ackMs.max)}`,
    ],
    [
      'error frames received by idle clients',
      Object.keys(finalStatus?.errorFrames ?? {}).length
        ? JSON.stringify(finalStatus.errorFrames)
        : '0',
    ],
    [
      'api RSS slope over the 2nd half of the hold (MiB/min, per instance)',
      slopes.map((s) => fmt(s.rssMiBPerMin, 2)).join(' / '),
    ],
    [
      'api heap-used slope over the 2nd half of the hold (MiB/min, per instance)',
      slopes.map((s) => fmt(s.heapMiBPerMin, 2)).join(' / '),
    ],
    [
      'api RSS range during the hold (MiB, per instance)',
      cluster.instances
        .map((_, k) =>
          minMax((s) => MiB(s.instances[k].rss))
            .map((v) => fmt(v))
            .join('–'),
        )
        .join(' / '),
    ],
    [
      'nginx RSS range during the hold (MiB, all processes)',
      minMax((s) => MiB(s.nginx?.rss))
        .map((v) => fmt(v))
        .join('–'),
    ],
    [
      'api connections after the close',
      `${after.instances.map((i) => int(i.connections)).join(' / ')}${zero ? ` (all 0 after ${fmt(zeroAfterS)} s)` : ' (NOT all 0)'}`,
    ],
    ...(round2
      ? [
          [
            'round 2: connections opened / failed / instances back to 0',
            `${int(round2.connect.joined)} / ${int(round2.connect.failed)} / ${round2.close.zero ? `yes, after ${fmt(round2.close.zeroAfterS)} s` : 'NO'}`,
          ],
          [
            'round 2: spread over the instances',
            connected2.instances.map((i) => int(i.connections)).join(' / '),
          ],
        ]
      : []),
    [
      `Redis keys / used_memory: before → connected → after${after2 ? ' → after round 2' : ''}`,
      [befores[befores.length - 1], connected, after, ...(after2 ? [after2] : [])]
        .map((x) => `${int(x.redis.keys)} / ${fmt(MiB(x.redis.usedMemory))} MiB`)
        .join(' → '),
    ],
    [
      'nginx workers: open file descriptors each, everything connected',
      (connected.nginx?.workers ?? []).map((w) => int(w.fds)).join(' / '),
    ],
    [
      'load processes: RSS with everything connected',
      `${fmt(MiB(connected.clients?.loadRssBytes), 0)} MiB in ${loaders.length}`,
    ],
  ];
  const result = {
    meta: { ...meta, finishedAt: new Date().toISOString(), loadavgEnd: loadavg() },
    checks,
    connect,
    delivery: { ...delivery },
    lost: {
      total: lost,
      byCode: finalStatus?.lostByCode,
      chatters: chat.lost,
      chatterEvents: chat.lostEvents,
    },
    lostEvents: finalStatus?.lostEvents ?? [],
    close: closed,
    round2,
    slopes,
    rows,
    summary,
    samples,
  };
  const table = markdown(result);
  const overTime = overTimeTable(samples);
  const file = path.join(resultsDir, `soak-${runId}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  const clusterLog = path.join(cluster.dir, 'logs/cluster.log');
  if (existsSync(clusterLog)) copyFileSync(clusterLog, path.join(runDir, 'cluster.log'));
  console.log(`\n${table}\n\n${overTime}\n`);
  const failedChecks = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([k]) => k);
  log(
    `${failedChecks.length ? `CHECKS FAILED: ${failedChecks.join(', ')}` : 'every check passed'}; ` +
      `results: ${path.relative(repoRoot, file)}; logs: ${path.relative(repoRoot, runDir)}`,
  );
  await shutdown(failedChecks.length ? 1 : 0);
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const loader of loaders) {
    if (loader.exited === null) loader.child.kill('SIGKILL');
  }
  for (const c of chat.chatters) c.ws.terminate();
  clearInterval(chat.timer);
  try {
    await stopCluster();
  } catch (error) {
    log(`stopping the cluster: ${error.message}`);
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    shutdown(130);
  });
}

main().catch((error) => {
  log(`failed: ${error.stack ?? error}`);
  shutdown(2);
});
