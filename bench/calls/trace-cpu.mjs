#!/usr/bin/env node
/**
 * Where the CPU went during one traced call: reads the Chromium traces that `BENCH_TRACE=1`
 * makes (bench/results/trace-{caller,callee}.json) and prints, for the window between two probe
 * marks (default: the click on Video → the first remote frame on the caller's screen), the CPU
 * time and the wall time of the tasks of every process and thread of both browsers.
 *
 * Wall time well above CPU time means the thread was ready but waited for a core.
 *
 * Usage: node bench/calls/trace-cpu.mjs [from-mark] [to-mark]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
const [from = 'click:call-video', to = 'video:firstFrame'] = process.argv.slice(2);
const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);

function load(side) {
  const data = JSON.parse(readFileSync(join(RESULTS, `trace-${side}.json`), 'utf8'));
  return (data.traceEvents ?? data).map((event) => ({ ...event, side }));
}

const events = [...load('caller'), ...load('callee')];
/** The probe calls console.timeStamp(mark): a TimeStamp event on the shared trace clock. */
const markTime = (name) =>
  Math.min(
    ...events
      .filter((event) => event.name === 'TimeStamp' && event.args?.data?.message === name)
      .map((event) => event.ts),
  );
const start = markTime(from);
const end = markTime(to);
if (!Number.isFinite(start) || !Number.isFinite(end)) {
  console.error(`trace-cpu: marks ${from} / ${to} not found in the traces`);
  process.exit(1);
}

const names = new Map();
for (const event of events) {
  if (event.ph !== 'M') continue;
  if (event.name === 'process_name') names.set(`${event.side}:${event.pid}`, event.args.name);
  if (event.name === 'thread_name')
    names.set(`${event.side}:${event.pid}:${event.tid}`, event.args.name);
}

const threads = new Map();
for (const event of events) {
  if (event.ph !== 'X' || !TASK_EVENTS.has(event.name) || event.ts < start || event.ts >= end)
    continue;
  const process = names.get(`${event.side}:${event.pid}`) ?? event.pid;
  const thread = names.get(`${event.side}:${event.pid}:${event.tid}`) ?? event.tid;
  const key = `${event.side} ${process} / ${thread}`;
  const entry = threads.get(key) ?? { cpu: 0, wall: 0 };
  entry.cpu += event.tdur ?? 0;
  entry.wall += event.dur ?? 0;
  threads.set(key, entry);
}

const ms = (us) => (us / 1000).toFixed(1).padStart(7);
const rows = [...threads.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
const total = rows.reduce((sum, [, entry]) => sum + entry.cpu, 0);
console.log(
  `${from} → ${to}: ${ms(end - start).trim()} ms; CPU of both browsers ${ms(total).trim()} ms`,
);
console.log('  cpu ms  wall ms  process / thread');
for (const [key, entry] of rows.slice(0, 25))
  console.log(`${ms(entry.cpu)}  ${ms(entry.wall)}  ${key}`);
