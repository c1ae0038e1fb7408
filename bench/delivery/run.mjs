// Delivery benchmark (GitHub issue 15): the Duplex api against a bare `ws` server and a
// Socket.IO 4.8 server, in the same run, alternated, with a load generator that is not the
// bottleneck (a hand-written WebSocket client, byte scans instead of JSON.parse, receivers
// spread over worker threads, server on CPU 0 and generator on CPU 1). See docs/benchmarks.md,
// "Delivery".
//
//   pnpm --filter @duplex/bench delivery [-- flags]     (or: node bench/delivery/run.mjs [flags])
//
//   --scenarios list   fixed,max1,max4,idle,join,rooms,restart,start (default: all)
//   --servers list     bare,socketio,duplex,duplex-modules (default: bare,socketio,duplex;
//                      restart runs against duplex only; duplex-modules is the api unbundled)
//   --repeat R         rounds, servers in alternating order each round (default 3)
//   --workers W        receiver worker threads (default 3)
//   --clients N        members receiving in one room (default 1000)
//   --server-cpu F     limit the server to F (0–1) of its core with a cgroup quota (root), so
//                      that a rate search finds the server's limit rather than the generator's
//   --bisections B     steps of max1/max4's bisection after the first failed rate (default 4)
//   --profile          CPU-profile the Duplex api during `fixed` and the largest `join`, and
//                      summarise where the time went
//   --quick            smoke run: 200 clients, short steps, 1 round, all but max1 and rooms
//
// Everything talks to 127.0.0.1; every loop is bounded in count and time, and a watchdog ends
// the run and its children if it overruns.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { armWatchdog } from '../lib/children.mjs';
import { cpuQuotaUnavailable } from '../lib/cpu-quota.mjs';
import { canPin, describeMachine, loadAverage, pinSelf } from '../lib/machine.mjs';
import { machineBusySeconds, processCpuSeconds } from '../lib/proc.mjs';
import { markdown, profileMarkdown, summarize } from './report.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { GENERATOR_CPU, SERVERS } from './servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..');
const repoRoot = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');

const DEFAULTS = {
  scenarios: Object.keys(SCENARIOS),
  servers: ['bare', 'socketio', 'duplex'],
  repeat: 3,
  workers: 3,
  clients: 1000,
  senders: 4,
  textBytes: 100,
  fixedRate: 50,
  fixedS: 10,
  warmupS: 2,
  drainS: 3,
  settleS: 1,
  maxStartRate: 5,
  maxTopRate: 640,
  maxStepS: 5,
  bisections: 4,
  serverCpu: null,
  idleCounts: [1000, 5000],
  joinCounts: [1000, 5000],
  rooms: 10,
  roomMembers: 100,
  // Per room: 10 × 5 = 50 messages/s in all, the same as `fixed` (Duplex stores every one).
  roomRate: 5,
  restartMembers: 5000,
  restartMessages: 20,
  gcPasses: 3,
  profile: false,
  quick: false,
};

// max1 and rooms take the code paths of max4 and fixed; leaving them out keeps the smoke run short.
const QUICK = {
  scenarios: ['fixed', 'max4', 'idle', 'join', 'restart', 'start'],
  repeat: 1,
  clients: 200,
  fixedS: 2,
  warmupS: 0.5,
  drainS: 1,
  settleS: 0.3,
  maxStartRate: 10,
  maxTopRate: 40,
  maxStepS: 1,
  bisections: 0,
  idleCounts: [100, 200],
  joinCounts: [200],
  roomMembers: 20,
  restartMembers: 200,
  restartMessages: 10,
  gcPasses: 1,
};

function parseArgs(argv) {
  const opts = { ...DEFAULTS };
  const given = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (argv[i + 1] === undefined) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} must be a positive integer`);
      return n;
    };
    if (arg === '--') continue;
    else if (arg === '--scenarios') given.scenarios = value().split(',');
    else if (arg === '--servers') given.servers = value().split(',');
    else if (arg === '--repeat') given.repeat = count();
    else if (arg === '--workers') given.workers = count();
    else if (arg === '--clients') given.clients = count();
    else if (arg === '--bisections') given.bisections = count();
    else if (arg === '--server-cpu') {
      given.serverCpu = Number(value());
      if (!(given.serverCpu > 0 && given.serverCpu <= 1)) {
        throw new Error('--server-cpu takes a fraction of one core, in (0, 1]');
      }
      const why = cpuQuotaUnavailable();
      if (why) throw new Error(`--server-cpu: ${why}`);
    } else if (arg === '--profile') given.profile = true;
    else if (arg === '--quick') opts.quick = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(
        readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(0, 21)
          .join('\n'),
      );
      process.exit(0);
    } else throw new Error(`unknown flag ${arg}`);
  }
  Object.assign(opts, opts.quick ? QUICK : {}, given);
  for (const s of opts.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
  for (const s of opts.servers) if (!SERVERS[s]) throw new Error(`unknown server ${s}`);
  if (opts.clients > 5000 || opts.repeat > 5 || opts.workers > 8) {
    throw new Error('refusing an unbounded run: clients ≤ 5000, repeat ≤ 5, workers ≤ 8');
  }
  return opts;
}

const log = (line) => process.stderr.write(`${line}\n`);

/** A generous upper bound of one scenario's seconds against one server, for the watchdog. */
function scenarioBudgetS(name, opts) {
  const start = 60;
  const steps = {
    fixed: opts.warmupS + opts.fixedS + 2 * (opts.drainS + 2),
    rooms: opts.warmupS + opts.fixedS + 2 * (opts.drainS + 2),
    max1: 12 * (opts.maxStepS + opts.drainS + 2),
    max4: 12 * (opts.maxStepS + opts.drainS + 2),
    idle: 30,
    join: 30 * opts.joinCounts.length,
    restart: 120,
    start: 10,
  }[name];
  return (name === 'join' ? opts.joinCounts.length : 1) * start + steps + 60;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const budgetS =
    opts.repeat *
    opts.scenarios.reduce((sum, s) => sum + scenarioBudgetS(s, opts) * opts.servers.length, 0);
  const disarm = armWatchdog(budgetS * 1000, log);
  const pin = canPin();
  if (pin) pinSelf(GENERATOR_CPU); // worker threads started later inherit it
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.join(resultsDir, `delivery-${runId}`);
  mkdirSync(runDir, { recursive: true });
  const meta = {
    startedAt: new Date().toISOString(),
    machine: describeMachine(repoRoot),
    pinned: pin ? { server: '0', generator: GENERATOR_CPU } : null,
    serverCpuQuota: opts.serverCpu,
    loadavgStart: loadAverage(),
  };
  const machine0 = machineBusySeconds();
  const generator0 = processCpuSeconds(process.pid);
  log(
    `delivery bench: ${opts.scenarios.join(',')} × ${opts.servers.join(',')}, ${opts.repeat} round(s); ` +
      `${pin ? 'server on CPU 0, generator on CPU 1' : 'NOT pinned (no taskset)'}` +
      `${opts.serverCpu ? `, server limited to ${opts.serverCpu} of its core` : ''}; load ${meta.loadavgStart.join(' ')}`,
  );
  const rounds = [];
  let serverCpuS = 0;
  for (let round = 0; round < opts.repeat; round += 1) {
    const order = round % 2 === 0 ? opts.servers : [...opts.servers].reverse();
    for (const scenario of opts.scenarios) {
      const { run, only } = SCENARIOS[scenario];
      for (const server of order.filter((s) => !only || only.includes(s))) {
        log(`\n== round ${round + 1}/${opts.repeat}, ${scenario}, ${SERVERS[server].label}`);
        const ctx = { kind: server, opts, repoRoot, runDir, pin, round, log };
        const t0 = Date.now();
        try {
          const { detail, ...metrics } = await run(ctx);
          serverCpuS += metrics.serverCpuS ?? 0;
          rounds.push({
            scenario,
            server,
            round,
            metrics,
            detail,
            loadavg: loadAverage(),
            seconds: (Date.now() - t0) / 1000,
          });
        } catch (error) {
          log(`   FAILED: ${error.stack ?? error}`);
          rounds.push({ scenario, server, round, error: String(error.message ?? error) });
        }
      }
    }
  }
  const summary = summarize(rounds);
  meta.finishedAt = new Date().toISOString();
  meta.loadavgEnd = loadAverage();
  meta.runBusy = {
    machineCpuS: machineBusySeconds() - machine0,
    generatorCpuS: processCpuSeconds(process.pid) - generator0,
    serverCpuSInMeasuredSteps: serverCpuS,
    wallS: (Date.parse(meta.finishedAt) - Date.parse(meta.startedAt)) / 1000,
  };
  const labels = Object.fromEntries(Object.entries(SERVERS).map(([k, v]) => [k, v.label]));
  const file = path.join(resultsDir, `delivery-${runId}.json`);
  writeFileSync(file, JSON.stringify({ meta, options: opts, summary, rounds }, null, 2));
  const failures = rounds.filter((r) => r.error);
  const out = [
    `Delivery benchmark, ${meta.startedAt} (${path.relative(repoRoot, file)}): ${opts.clients} members per room, ` +
      `${opts.textBytes}-byte texts; medians of ${opts.repeat} round(s)${opts.repeat > 1 ? ', (min–max)' : ''}. ` +
      `${meta.machine.cpuCount} × ${meta.machine.cpuModel}, Node ${meta.machine.node}, git ${meta.machine.gitHead}, ` +
      `${pin ? 'server pinned to CPU 0, generator to CPU 1' : 'not pinned'}` +
      `${opts.serverCpu ? `, server limited to ${opts.serverCpu} of its core (cgroup quota)` : ''}. Load average ${meta.loadavgStart.join(' ')} at start, ` +
      `${meta.loadavgEnd.join(' ')} at end; the machine was busy ${meta.runBusy.machineCpuS.toFixed(0)} CPU s over ${meta.runBusy.wallS.toFixed(0)} s, ` +
      `of which the generator ${meta.runBusy.generatorCpuS.toFixed(0)} s.`,
    '',
    markdown(summary, opts, opts.servers, labels),
  ];
  for (const r of rounds) if (r.detail?.profile) out.push(profileMarkdown(r.detail.profile), '');
  if (failures.length)
    out.push(
      `Failed: ${failures.map((f) => `${f.scenario}/${f.server}/round ${f.round + 1}: ${f.error}`).join('; ')}`,
    );
  console.log(out.join('\n'));
  log(`\nresults: ${path.relative(repoRoot, file)}; logs: ${path.relative(repoRoot, runDir)}`);
  disarm();
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
