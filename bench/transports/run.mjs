// Transports bench: the ticker's four transports (short polling, long polling, Server-Sent
// Events, WebSocket) measured side by side at scale in one run against the built api. See the
// "Why WebSocket: four transports" section of docs/benchmarks.md; flags: --help (options.mjs).
//
// For each rate and transport: N clients follow the same stream through a warm-up and a measured
// window; every client checks that it gets every event exactly once, in order; the api's own
// counters (GET /api/ticker/stats) give CPU, bytes and requests per event. Writes
// bench/results/transports-<time>.json and the SVG plot, prints a markdown table. Every wait is
// bounded and a watchdog ends the run (and the api) if it ever overruns.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, startApi, stopApi } from '../lib/api-child.mjs';
import { armWatchdog, killAll } from '../lib/children.mjs';
import { canPin, describeMachine, loadAverage, pinSelf } from '../lib/machine.mjs';
import { sleep } from '../lib/net.mjs';
import { startGenerator } from './generator.mjs';
import { OptionError, parseOptions, USAGE } from './options.mjs';
import { plotSvg } from './plot.mjs';
import { machineLine, markdownTable } from './report.mjs';
import { sample, windowCosts } from './server-sample.mjs';
import { runStep, stepBudgetMs } from './step.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const resultsDir = path.join(repoRoot, 'bench/results');
const IDLE_MS = 5000;

const log = (line) => console.error(line);

/** The api pinned to the first core and the generator to the second, when there are two. */
function chooseCores(opts, cpuCount) {
  if (!opts.pin || cpuCount < 2 || !canPin()) return null;
  return { api: '0', generator: '1' };
}

async function measureIdle(api) {
  const before = await sample(api);
  await sleep(IDLE_MS);
  const after = await sample(api);
  const costs = windowCosts(before, after, 'websocket');
  return {
    seconds: costs.seconds,
    apiCpuPct: costs.apiCpuPct,
    apiRssMiB: costs.apiRssMiB,
    otherCpuPct: costs.otherCpuPct,
  };
}

function writeOutputs(run, opts) {
  const plotFile = path.resolve(repoRoot, opts.plot);
  mkdirSync(path.dirname(plotFile), { recursive: true });
  writeFileSync(plotFile, plotSvg(run));
  console.log(`${machineLine(run)}\n\n${markdownTable(run.steps)}`);
  log(`plot: ${path.relative(repoRoot, plotFile)}`);
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.report) {
    writeOutputs(JSON.parse(readFileSync(path.resolve(opts.report), 'utf8')), opts);
    return 0;
  }
  const stepCount = opts.rates.length * opts.transports.length;
  const disarm = armWatchdog(120_000 + IDLE_MS + stepCount * stepBudgetMs(opts), log);
  const startedAt = new Date().toISOString();
  const runId = startedAt.replace(/[:.]/g, '-');
  const runDir = path.join(resultsDir, `transports-${runId}`);
  mkdirSync(runDir, { recursive: true });
  const machine = describeMachine(repoRoot);
  const pinning = chooseCores(opts, machine.cpuCount);
  if (pinning) pinSelf(pinning.generator);
  const meta = { startedAt, machine, pinning, loadavgStart: loadAverage(), host: HOST };
  log(
    `transports bench: ${opts.clients} clients, rates ${opts.rates.join(',')}/s, ${opts.transports.join(',')}, ` +
      `${opts.duration} s each; load average ${meta.loadavgStart.join(' ')}` +
      (pinning ? `; api on core ${pinning.api}, generator on core ${pinning.generator}` : ''),
  );

  const cap = String(opts.clients);
  const api = await startApi({
    repoRoot,
    env: { TICKER_MAX_HELD_POLLS: cap, TICKER_MAX_SSE_STREAMS: cap, TICKER_MAX_WEBSOCKETS: cap },
    cpuList: pinning?.api ?? null,
    logPath: path.join(runDir, 'api.log'),
  });
  const generator = await startGenerator(opts.workers);
  const steps = [];
  try {
    log(`api ready after ${(api.readyAfterMs / 1000).toFixed(1)} s; idle for ${IDLE_MS / 1000} s`);
    meta.idle = await measureIdle(api);
    for (const rate of opts.rates) {
      for (const transport of opts.transports) {
        steps.push(await runStep({ api, generator, transport, rate, opts, log }));
      }
    }
  } finally {
    await generator.stop();
    await stopApi(api);
  }
  meta.loadavgEnd = loadAverage();
  meta.finishedAt = new Date().toISOString();
  meta.options = opts;
  const failed = steps.filter((s) => !s.ok);
  const run = { meta, ok: failed.length === 0, steps };
  const file = path.join(resultsDir, `transports-${runId}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 1)}\n`);
  writeOutputs(run, opts);
  log(
    `load average at end ${meta.loadavgEnd.join(' ')}; results: ${path.relative(repoRoot, file)}`,
  );
  disarm();
  if (failed.length > 0) {
    log(
      `FAILED: ${failed.map((s) => `${s.transport} at ${s.rate}/s`).join(', ')} lost, doubled or failed events`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof OptionError) log(`${error.message}\n\n${USAGE}`);
    else log(String(error?.stack ?? error));
    killAll();
    process.exit(2);
  },
);
