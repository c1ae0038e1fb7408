#!/usr/bin/env node
/**
 * Call set-up of several builds, measured in alternation: each round runs the call benchmark once
 * per build, one build after the other, so that a slow moment of a shared machine hits them all.
 * On a 2-core machine single runs of the same build differ by up to 100 ms; comparing a run of
 * today with a result written down weeks ago says little.
 *
 * Usage: node bench/calls/compare.mjs [--rounds 3] <rev> [<rev>...]
 *   The working tree as it is (built beforehand, as for `pnpm --filter @duplex/bench calls`)
 *   is compared with each <rev>, checked out into a temporary git worktree, installed from the
 *   local pnpm store (downloading only what it lacks) and built there. Every build is measured
 *   by the working tree's benchmark (bench/calls is copied over the revision's), so that they
 *   all run the same series. Environment: as bench/calls/run.sh (BENCH_CALLS, ...).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' } },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || positionals.length === 0) {
  console.error('usage: node bench/calls/compare.mjs [--rounds N] <rev> [<rev>...]');
  process.exit(2);
}

const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
const run = (cwd, command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}`);
};

const scratch = mkdtempSync(join(tmpdir(), 'duplex-calls-compare-'));
const builds = [{ label: `working tree (${git('rev-parse', '--short', 'HEAD')})`, dir: ROOT }];
try {
  for (const rev of positionals) {
    const dir = join(scratch, rev.replace(/[^\w.-]/g, '_'));
    const commit = git('rev-parse', '--short', `${rev}^{commit}`);
    run(ROOT, 'git', ['worktree', 'add', '--detach', dir, commit]);
    cpSync(join(ROOT, 'bench', 'calls'), join(dir, 'bench', 'calls'), { recursive: true });
    run(dir, 'pnpm', ['install', '--frozen-lockfile', '--prefer-offline']);
    run(dir, 'pnpm', ['turbo', 'run', 'build']);
    builds.push({ label: `${rev} (${commit})`, dir });
  }

  const results = builds.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    for (const [index, build] of builds.entries()) {
      console.log(`\n== round ${round}/${rounds}: ${build.label}`);
      run(build.dir, 'pnpm', ['--filter', '@duplex/bench', 'calls'], { stdio: 'ignore' });
      results[index].push(latestResult(build.dir));
    }
  }
  console.log(`\n${report(builds, results)}`);
} finally {
  for (const build of builds.slice(1))
    spawnSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', build.dir]);
  rmSync(scratch, { recursive: true, force: true });
}

/** Click → first frame medians of the newest result file a run wrote in `dir`. */
function latestResult(dir) {
  const results = join(dir, 'bench', 'results');
  const newest = readdirSync(results)
    .filter((name) => /^calls-.*\.json$/.test(name))
    .sort()
    .at(-1);
  const data = JSON.parse(readFileSync(join(results, newest), 'utf8'));
  const median = (id) =>
    data.series.find((series) => series.id === id)?.summary.firstFrame.median ?? Number.NaN;
  const cpu = (id) =>
    data.series.find((series) => series.id === id)?.summary.cpu?.median ?? Number.NaN;
  const mainThread = (id) =>
    data.series.find((series) => series.id === id)?.summary.mainThread?.median ?? Number.NaN;
  return {
    file: newest,
    direct: median('duplex-direct'),
    relay: median('duplex-relay'),
    floorDirect: median('floor-direct-gum'),
    floorRelay: median('floor-relay-gum'),
    personDirect: median('duplex-direct-person'),
    personRelay: median('duplex-relay-person'),
    cpuDirect: cpu('duplex-direct'),
    cpuRelay: cpu('duplex-relay'),
    cpuBareDirect: cpu('bare-direct'),
    mainThreadDirect: mainThread('duplex-direct'),
    mainThreadBareDirect: mainThread('bare-direct'),
    ringingCaller: data.ringing?.caller.median ?? Number.NaN,
    ringingCallee: data.ringing?.callee.median ?? Number.NaN,
  };
}

function middle(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

function report(builds, results) {
  const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');
  const lines = [
    '| build | direct, each round | direct median | × floor | relay, each round | relay median | × floor | answered after 1 s: direct, relay | CPU per set-up: direct, relay (bare pair, direct) | main threads CPU per set-up, direct (bare pair) | ringing: main thread ms/s, caller, callee |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [index, build] of builds.entries()) {
    const runs = results[index];
    const direct = middle(runs.map((r) => r.direct));
    const relay = middle(runs.map((r) => r.relay));
    const floorDirect = middle(runs.map((r) => r.floorDirect));
    const floorRelay = middle(runs.map((r) => r.floorRelay));
    lines.push(
      `| ${build.label} | ${runs.map((r) => ms(r.direct)).join(', ')} | ${ms(direct)} | ${(direct / floorDirect).toFixed(2)}× | ${runs.map((r) => ms(r.relay)).join(', ')} | ${ms(relay)} | ${(relay / floorRelay).toFixed(2)}× | ${ms(middle(runs.map((r) => r.personDirect)))}, ${ms(middle(runs.map((r) => r.personRelay)))} | ${ms(middle(runs.map((r) => r.cpuDirect)))}, ${ms(middle(runs.map((r) => r.cpuRelay)))} (${ms(middle(runs.map((r) => r.cpuBareDirect)))}) | ${ms(middle(runs.map((r) => r.mainThreadDirect)))} (${ms(middle(runs.map((r) => r.mainThreadBareDirect)))}) | ${ms(middle(runs.map((r) => r.ringingCaller)))}, ${ms(middle(runs.map((r) => r.ringingCallee)))} |`,
    );
  }
  lines.push(
    '',
    "Click → first remote frame, median of each run; × floor: against the median floor (incl. getUserMedia) of the same build's runs. " +
      "Answered after 1 s: the callee's click on Accept → the first remote frame on the caller's screen. " +
      'CPU per set-up: of the whole machine (./machine-cpu.ts) from the click (the bare pair: its getUserMedia) to the first frame; ' +
      "main threads' CPU: both pages' `ThreadTime` added (the bare pair's until its hang-up); medians of the runs' medians.",
  );
  return lines.join('\n');
}
