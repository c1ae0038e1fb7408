// What the machine was like during a run: it may be shared, so its load is part of the result.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { CLK_TCK } from './proc.mjs';

function gitHead(repoRoot) {
  try {
    return execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return null;
  }
}

/** The three load averages, rounded to 2 decimals. */
export function loadAverage() {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function describeMachine(repoRoot) {
  const apiMain = path.join(repoRoot, 'apps/api/dist/main.js');
  return {
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    clkTck: CLK_TCK,
    gitHead: gitHead(repoRoot),
    // Which api build was measured (others may rebuild apps/api/dist meanwhile).
    apiDistMtime: existsSync(apiMain) ? statSync(apiMain).mtime.toISOString() : null,
  };
}

/** Whether `taskset` (util-linux) can pin processes here. */
export function canPin() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of this process (and the threads it starts later) to `cpuList`. */
export function pinSelf(cpuList) {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(process.pid)], { stdio: 'ignore' });
}
