// The two embedded stores side by side: SQLite (the api's default) and PGlite (the store of
// earlier releases), each as the api runs it, taking turns in one run. See docs/benchmarks.md.
//
//   pnpm --filter @duplex/bench embedded-store [-- flags]  (or: node bench/embedded-store/run.mjs)
//
//   --rounds R    rounds; the engines alternate, the first one changing every round (default 3)
//   --commits N   sequential one-message commits per engine and round (default 300)
//   --reads N     join-history reads (50 messages of 100 bytes) per engine and round (default 300)
//
// Part 1 starts the built api (apps/api/dist/main.js) on an empty data folder with
// EMBEDDED_STORE=<engine>: time to /ready (polled every 10 ms), CPU used until then, RSS after
// 3 s idle; then once more on the same folder (a restart). Part 2 opens the store in a worker
// thread exactly as the api does (openWorkerStore) in this process and measures the process's
// CPU (both threads) per commit and per history read. Tables to stdout, JSON to
// bench/results/embedded-store-<time>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApi, stopApi } from '../lib/api-child.mjs';
import { armWatchdog } from '../lib/children.mjs';
import { describeMachine, loadAverage } from '../lib/machine.mjs';
import { sleep } from '../lib/net.mjs';
import { processCpuSeconds, rssKiB } from '../lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const resultsDir = path.join(here, '..', 'results');
const ENGINES = ['sqlite', 'pglite'];
const IDLE_MS = 3000;
const TEXT = 'x'.repeat(100);

function parseArgs(argv) {
  const opts = { rounds: 3, commits: 300, reads: 300 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(key in opts) || !Number.isInteger(value) || value <= 0) {
      throw new Error(`unknown or invalid option ${argv[i]} ${argv[i + 1] ?? ''}`);
    }
    opts[key] = value;
  }
  return opts;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

/** Starts the api on `dataDir` and reads its start-up cost; leaves the folder. */
async function startOnce(engine, dataDir, logDir, label) {
  const api = await startApi({
    repoRoot,
    env: { EMBEDDED_STORE: engine },
    dataDir,
    pollMs: 10,
    logPath: path.join(logDir, `${engine}-${label}.log`),
  });
  const cpuAtReadyMs = processCpuSeconds(api.pid) * 1000;
  await sleep(IDLE_MS);
  const idleRssMiB = rssKiB(api.pid) / 1024;
  await stopApi(api, { keepDataDir: true });
  return { readyMs: api.readyAfterMs, cpuAtReadyMs, idleRssMiB };
}

async function apiStart(engine, logDir) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `duplex-embedded-${engine}-`));
  try {
    const first = await startOnce(engine, dataDir, logDir, 'first');
    const restart = await startOnce(engine, dataDir, logDir, 'restart');
    return { first, restart };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const silentLogger = { error() {}, warn() {}, info() {}, debug() {} };

/** CPU of this process (all threads) in µs while `work` runs. */
async function cpuMicros(work) {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function storeWork(engine, opts) {
  const { openWorkerStore } = await import(
    pathToFileURL(path.join(repoRoot, 'apps/api/build/storage/worker-message-store.js')).href
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), `duplex-embedded-${engine}-`));
  const store = await openWorkerStore(engine, dataDir, silentLogger);
  const from = { userId: 'bench-user', name: 'Bench' };
  const message = (room, clientId) => ({
    room,
    clientId,
    from,
    text: TEXT,
    ts: new Date().toISOString(),
  });
  try {
    const commitMicros = await cpuMicros(async () => {
      for (let i = 0; i < opts.commits; i++)
        await store.appendBatch('commits', [message('commits', `c${i}`)]);
    });
    for (let i = 0; i < 50; i++) await store.appendBatch('history', [message('history', `h${i}`)]);
    const readMicros = await cpuMicros(async () => {
      for (let i = 0; i < opts.reads; i++) await store.history('history', undefined, 1 << 20);
    });
    return {
      cpuPerCommitUs: commitMicros / opts.commits,
      cpuPerHistoryReadUs: readMicros / opts.reads,
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(rounds) {
  const rows = [
    ['api ready after, first start on an empty folder (ms)', (r) => r.start.first.readyMs],
    ['api CPU until ready, first start (ms)', (r) => r.start.first.cpuAtReadyMs],
    ['api RSS, idle 3 s after the first start (MiB)', (r) => r.start.first.idleRssMiB],
    ['api ready after, restart on the same folder (ms)', (r) => r.start.restart.readyMs],
    ['api RSS, idle after the restart (MiB)', (r) => r.start.restart.idleRssMiB],
    ['CPU per one-message commit, both threads (µs)', (r) => r.work.cpuPerCommitUs],
    ['CPU per join-history read of 50 messages (µs)', (r) => r.work.cpuPerHistoryReadUs],
  ];
  const lines = [
    '| metric | SQLite median (min–max) | PGlite median (min–max) | SQLite ÷ PGlite |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const [label, read] of rows) {
    const [sqlite, pglite] = ENGINES.map((engine) => rounds.map((round) => read(round[engine])));
    lines.push(
      `| ${label} | ${median(sqlite).toFixed(1)} (${spread(sqlite)}) | ${median(pglite).toFixed(1)} (${spread(pglite)}) | ${(median(sqlite) / median(pglite)).toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  armWatchdog((opts.rounds * 90 + 60) * 1000);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(resultsDir, `embedded-store-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const machine = describeMachine(repoRoot);
  const loadBefore = loadAverage();
  const rounds = [];
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? ENGINES : [...ENGINES].reverse();
    const results = {};
    for (const engine of order) {
      console.error(`round ${round + 1}/${opts.rounds}: ${engine}`);
      results[engine] = {
        start: await apiStart(engine, logDir),
        work: await storeWork(engine, opts),
      };
    }
    rounds.push(results);
  }
  const report = table(rounds);
  const loadAfter = loadAverage();
  console.log(report);
  console.log(`\nload average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
  const file = path.join(resultsDir, `embedded-store-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify({ opts, machine, loadBefore, loadAfter, rounds, report }, null, 2),
  );
  console.error(`results: ${path.relative(repoRoot, file)}`);
}

await main();
process.exit(0);
