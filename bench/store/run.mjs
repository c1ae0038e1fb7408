// Store benchmark: what durable acks cost. The api's PGlite client (fsync at every commit, before
// the ack) against PGlite's defaults (no fsync anywhere), both through the api's SqlMessageStore,
// taking turns in one run on fresh data folders. See docs/benchmarks.md for how to read it.
//
//   pnpm --filter @duplex/bench durability [flags] (or: node bench/store/run.mjs [flags])
//   (`run` is needed: `pnpm store` is pnpm's own command)
//
//   --rounds R          rounds, each on fresh data folders for both stores (default 3)
//   --chunks C          turns per workload and round: the stores alternate chunk by chunk (10)
//   --commits N         sequential single-message commits per store and round (default 200)
//   --senders S         concurrent senders into one room (default 16)
//   --per-sender M      messages each concurrent sender sends per round (default 30)
//   --rooms K           rooms of one message each (default 100)
//   --strace-commits N  commits counted under strace per store (default 50; 0 skips strace)
//
// Tables go to stdout, progress to stderr, everything to bench/results/store-<time>.json.
// Temp data folders are removed at the end, also when the run fails or overruns.
import { fsyncSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteVersion, repoRoot } from './api-modules.mjs';
import { straceAvailable, traceSyncCalls } from './fsync-trace.mjs';
import { describeMachine, measured, otherBusyPct } from './machine.mjs';
import { median, percentile, sum } from './stats.mjs';
import { STORES, makeTemplate, openFreshStore } from './stores.mjs';
import { chatOn, concurrentSenders, manyRooms, sequentialCommits, warmUp } from './workloads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, '..', 'results');
const KINDS = ['durable', 'reference'];
const WARM_UP_COMMITS = 30;
const WATCHDOG_MS = 6 * 60_000;

function parseArgs(argv) {
  const opts = {
    rounds: 3,
    chunks: 10,
    commits: 200,
    senders: 16,
    perSender: 30,
    rooms: 100,
    straceCommits: 50,
  };
  const flags = {
    '--rounds': 'rounds',
    '--chunks': 'chunks',
    '--commits': 'commits',
    '--senders': 'senders',
    '--per-sender': 'perSender',
    '--rooms': 'rooms',
    '--strace-commits': 'straceCommits',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') continue;
    const key = flags[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key) throw new Error(`unknown flag ${argv[i]}`);
    const allowsZero = key === 'straceCommits';
    if (!Number.isInteger(value) || value < (allowsZero ? 0 : 1) || value > 100_000) {
      throw new Error(`${argv[i]} needs a whole number from ${allowsZero ? 0 : 1} to 100000`);
    }
    opts[key] = value;
    i++;
  }
  return opts;
}

const log = (line) => process.stderr.write(`${line}\n`);

/** Fails the round if a workload did not store exactly what it sent. */
async function verifyStored(store, opts) {
  const lastSeq = new Map((await store.rooms()).map((room) => [room.room, room.lastSeq]));
  const expected = [
    ['warm-up', WARM_UP_COMMITS],
    ['solo', opts.commits],
    ['busy', opts.senders * opts.perSender],
    ...Array.from({ length: opts.rooms }, (_, i) => [`room-${i}`, 1]),
  ];
  const wrong = expected.filter(([room, seq]) => lastSeq.get(room) !== seq);
  if (wrong.length > 0 || lastSeq.size !== expected.length) {
    throw new Error(`stored seqs differ from what was sent: ${JSON.stringify(wrong.slice(0, 5))}`);
  }
}

/** `total` split into at most `parts` whole, nearly equal, non-empty sizes. */
function split(total, parts) {
  const count = Math.min(parts, total);
  return Array.from(
    { length: count },
    (_, i) => Math.floor(((i + 1) * total) / count) - Math.floor((i * total) / count),
  );
}

/** A store opened for a round, with every fsync it makes timed. */
async function openForRound(kind, template, workDir) {
  const fsyncMs = [];
  const timedFsync = (fd) => {
    const started = performance.now();
    fsyncSync(fd);
    fsyncMs.push(performance.now() - started);
  };
  const opened = await openFreshStore(kind, template, workDir, timedFsync);
  return { kind, ...opened, fsyncMs, chat: chatOn(opened.store) };
}

const emptyTally = () => ({
  count: 0,
  commits: 0,
  seconds: 0,
  latencies: [],
  cpuMs: 0,
  fsyncMs: [],
  busyJiffies: 0,
  iowaitJiffies: 0,
  totalJiffies: 0,
});

/** Adds one chunk of a workload, its CPU and machine load, and its fsyncs to a tally. */
async function tallyChunk(tally, opened, chunk) {
  const syncedBefore = opened.fsyncMs.length;
  const cost = await measured(chunk);
  tally.count += cost.result.count;
  tally.commits += cost.result.commits;
  tally.seconds += cost.result.seconds;
  tally.latencies.push(...cost.result.latencies);
  tally.cpuMs += cost.cpuMs;
  tally.fsyncMs.push(...opened.fsyncMs.slice(syncedBefore));
  tally.busyJiffies += cost.busyJiffies;
  tally.iowaitJiffies += cost.iowaitJiffies;
  tally.totalJiffies += cost.totalJiffies;
}

function workloadResult(kind, tally) {
  const durable = kind === 'durable';
  return {
    count: tally.count,
    commits: tally.commits,
    seconds: tally.seconds,
    perSecond: tally.count / tally.seconds,
    commitsPerSecond: tally.commits / tally.seconds,
    meanBatch: tally.count / tally.commits,
    p50Ms: percentile(tally.latencies, 50),
    p99Ms: percentile(tally.latencies, 99),
    cpuMsPerCommit: tally.cpuMs / tally.commits,
    fsyncsPerCommit: durable ? tally.fsyncMs.length / tally.commits : null,
    fsyncMsPerCommit: durable ? sum(tally.fsyncMs) / tally.commits : null,
    fsyncP50Ms: durable && tally.fsyncMs.length > 0 ? median(tally.fsyncMs) : null,
    otherBusyPct: otherBusyPct(tally),
    iowaitPct: tally.totalJiffies > 0 ? (100 * tally.iowaitJiffies) / tally.totalJiffies : 0,
  };
}

/**
 * One round: both stores on fresh copies of the template, taking turns chunk by chunk (ABBA),
 * so that a busy moment of a shared machine falls on both alike.
 */
async function runRound(round, template, workDir, opts) {
  const stores = [];
  try {
    for (const kind of KINDS) stores.push(await openForRound(kind, template, workDir));
    for (const opened of stores) await warmUp(opened.store, WARM_UP_COMMITS);
    const workloads = {
      sequential: {
        sizes: split(opts.commits, opts.chunks),
        run: (opened, size, offset) => sequentialCommits(opened.store, size, offset),
      },
      concurrent: {
        sizes: split(opts.perSender, opts.chunks),
        run: (opened, size, offset) => concurrentSenders(opened.chat, opts.senders, size, offset),
      },
      rooms: {
        sizes: split(opts.rooms, opts.chunks),
        run: (opened, size, offset) => manyRooms(opened.store, size, offset),
      },
    };
    const result = { round, loadavg: loadavg() };
    for (const [name, { sizes, run }] of Object.entries(workloads)) {
      const tallies = Object.fromEntries(KINDS.map((kind) => [kind, emptyTally()]));
      let offset = 0;
      for (const [index, size] of sizes.entries()) {
        const turn = index % 2 === 0 ? stores : [...stores].reverse();
        for (const opened of turn) {
          await tallyChunk(tallies[opened.kind], opened, () => run(opened, size, offset));
        }
        offset += size;
      }
      result[name] = Object.fromEntries(
        KINDS.map((kind) => [kind, workloadResult(kind, tallies[kind])]),
      );
    }
    for (const opened of stores) await verifyStored(opened.store, opts);
    return result;
  } finally {
    for (const opened of stores) await opened.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Summary and tables

/** [workload, field, label, decimals] of every row of the table. */
const metricsFor = (opts) => {
  const busy = `${opts.senders} senders in 1 room`;
  const spread = `${opts.rooms} rooms, 1 message each`;
  return [
    ['sequential', 'perSecond', '1 sender: commits/s', 0],
    ['sequential', 'p50Ms', '1 sender: commit p50 ms', 2],
    ['sequential', 'p99Ms', '1 sender: commit p99 ms', 2],
    ['sequential', 'cpuMsPerCommit', '1 sender: CPU ms per commit', 3],
    ['sequential', 'fsyncMsPerCommit', '1 sender: in fsync, ms per commit', 3],
    ['sequential', 'fsyncP50Ms', '1 sender: one fsync, p50 ms', 3],
    ['concurrent', 'perSecond', `${busy}: messages/s`, 0],
    ['concurrent', 'meanBatch', `${busy}: messages per commit`, 1],
    ['concurrent', 'p50Ms', `${busy}: ack p50 ms`, 2],
    ['concurrent', 'p99Ms', `${busy}: ack p99 ms`, 2],
    ['concurrent', 'cpuMsPerCommit', `${busy}: CPU ms per commit`, 3],
    ['concurrent', 'fsyncMsPerCommit', `${busy}: in fsync, ms per commit`, 3],
    ['rooms', 'perSecond', `${spread}: commits/s`, 0],
    ['rooms', 'p50Ms', `${spread}: commit p50 ms`, 2],
    ['rooms', 'p99Ms', `${spread}: commit p99 ms`, 2],
  ];
};

function summarize(rounds, opts) {
  return metricsFor(opts).map(([workload, field, label, digits]) => {
    const per = Object.fromEntries(
      KINDS.map((kind) => {
        const values = rounds
          .map((r) => r[workload][kind][field])
          .filter((value) => value !== null);
        return [
          kind,
          values.length > 0
            ? { median: median(values), min: Math.min(...values), max: Math.max(...values), values }
            : null,
        ];
      }),
    );
    const ratio =
      per.durable && per.reference && per.reference.median > 0
        ? per.durable.median / per.reference.median
        : null;
    return { workload, field, label, digits, ...per, ratio };
  });
}

const fixed = (value, digits) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const cell = (stat, digits) =>
  stat
    ? `${fixed(stat.median, digits)} (${fixed(stat.min, digits)}–${fixed(stat.max, digits)})`
    : '—';

function markdown(summary, traces, rounds, meta, opts) {
  const lines = [
    `| measure | ${STORES.durable.label} | ${STORES.reference.label} | durable ÷ default |`,
    '| --- | ---: | ---: | ---: |',
    ...summary.map(
      (m) =>
        `| ${m.label} | ${cell(m.durable, m.digits)} | ${cell(m.reference, m.digits)} | ${m.ratio === null ? '—' : `${m.ratio.toFixed(2)}×`} |`,
    ),
    '',
    `Medians of ${opts.rounds} rounds, min–max in brackets. Each round: both stores on fresh data folders, taking turns in ${opts.chunks} chunks per workload.`,
  ];
  if (traces) {
    lines.push(
      '',
      '| seen from the kernel (strace) | commits | fsync calls | per commit | on the WAL, per commit | median fsync ms (strace -T) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...KINDS.map((kind) => {
        const t = traces[kind];
        return `| ${STORES[kind].label} | ${t.commits} | ${t.syncCalls} | ${t.perCommit.toFixed(2)} | ${t.walPerCommit.toFixed(2)} | ${t.medianSyscallMs === null ? '—' : t.medianSyscallMs.toFixed(2)} |`;
      }),
    );
  }
  const busy = rounds.flatMap((r) => KINDS.map((kind) => r.sequential[kind].otherBusyPct));
  lines.push(
    '',
    `Machine: ${meta.cpuCount} × ${meta.cpuModel}, ${meta.memoryGiB} GiB, Linux ${meta.kernel}, Node ${meta.node}, PGlite ${meta.pglite}; ` +
      `data on ${meta.dataFileSystem.type} (${meta.dataFileSystem.device}); commit ${meta.commit ?? 'unknown'}. ` +
      `Load average ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')} at start, ${meta.loadavgEnd.map((l) => l.toFixed(2)).join(' ')} at end; ` +
      `other processes used ${Math.min(...busy).toFixed(0)}–${Math.max(...busy).toFixed(0)} % of the machine during the 1-sender runs.`,
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const workDir = mkdtempSync(path.join(tmpdir(), 'duplex-store-bench-'));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const watchdog = setTimeout(() => {
    log(`store bench: still running after ${WATCHDOG_MS / 60_000} min, giving up`);
    removeWorkDir();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const startedAt = new Date();
  try {
    const meta = { ...describeMachine(repoRoot, workDir), pglite: pgliteVersion };
    meta.loadavgStart = meta.loadavg;
    delete meta.loadavg;
    log(
      `store bench: load average ${meta.loadavgStart.map((l) => l.toFixed(2)).join(' ')} on ${meta.cpuCount} cores; data on ${meta.dataFileSystem.type}`,
    );

    const template = await makeTemplate(workDir);
    const rounds = [];
    for (let round = 1; round <= opts.rounds; round++) {
      const result = await runRound(round, template, workDir, opts);
      rounds.push(result);
      for (const kind of KINDS) {
        log(
          `round ${round} ${kind.padEnd(9)}: ${result.sequential[kind].perSecond.toFixed(0)} commits/s, ` +
            `${result.concurrent[kind].perSecond.toFixed(0)} msgs/s with ${opts.senders} senders, ` +
            `${result.rooms[kind].perSecond.toFixed(0)} commits/s over ${opts.rooms} rooms ` +
            `(load ${result.loadavg[0].toFixed(2)})`,
        );
      }
    }

    let traces = null;
    if (opts.straceCommits > 0 && straceAvailable()) {
      traces = {};
      for (const kind of KINDS) {
        traces[kind] = traceSyncCalls(kind, template, workDir, opts.straceCommits);
        log(
          `strace ${kind}: ${traces[kind].syncCalls} fsync calls for ${opts.straceCommits} commits`,
        );
      }
    } else if (opts.straceCommits > 0) {
      log('strace not found: the kernel-side count is skipped');
    }

    meta.loadavgEnd = loadavg();
    const summary = summarize(rounds, opts);
    const table = markdown(summary, traces, rounds, meta, opts);
    process.stdout.write(`${table}\n`);

    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(
      resultsDir,
      `store-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(
      file,
      `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, opts, meta, stores: Object.fromEntries(KINDS.map((k) => [k, STORES[k].describe])), summary, traces, rounds, table }, null, 2)}\n`,
    );
    log(
      `results: ${path.relative(repoRoot, file)} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s)`,
    );
  } finally {
    clearTimeout(watchdog);
    removeWorkDir();
  }
}

await main();
