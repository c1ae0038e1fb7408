// Counts the fsync system calls a store's commits make, as the kernel sees them (strace).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.mjs';

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fsync-probe.mjs');
const START = '/duplex-store-bench-marker/start';
const END = '/duplex-store-bench-marker/end';

export const straceAvailable = () => spawnSync('strace', ['-V']).status === 0;

// With -o and -f every line starts with the pid; -y prints each fd's path, -T the time spent
// in the call: `123 fsync(9</tmp/x/pg_wal/000000010000000000000001>) = 0 <0.000812>`.
const SYNC_CALL = /\b(fsync|fdatasync)\(\d+(?:<([^>]*)>)?\)\s*=\s*(-?\d+).*<([\d.]+)>\s*$/;

/** The fsync and fdatasync calls between the two markers of one strace log. */
export function syncCallsBetweenMarkers(log) {
  const lines = log.split('\n');
  const start = lines.findIndex((line) => line.includes(START));
  const end = lines.findIndex((line) => line.includes(END));
  if (start < 0 || end < start) throw new Error('strace log without both markers');
  return lines
    .slice(start + 1, end)
    .map((line) => SYNC_CALL.exec(line))
    .filter(Boolean)
    .map(([, call, file = '', result, seconds]) => ({
      call,
      file,
      ok: Number(result) === 0,
      ms: Number(seconds) * 1000,
    }));
}

/** Runs `commits` commits of one store under strace and sums up its sync calls. */
export function traceSyncCalls(kind, template, parent, commits) {
  const logFile = path.join(parent, `strace-${kind}.log`);
  execFileSync(
    'strace',
    [
      '-f',
      '-y',
      '-T',
      '--seccomp-bpf',
      '-e',
      'trace=fsync,fdatasync,access,faccessat,faccessat2',
      '-o',
      logFile,
      process.execPath,
      probe,
      kind,
      template,
      parent,
      String(commits),
      START,
      END,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 },
  );
  const calls = syncCallsBetweenMarkers(readFileSync(logFile, 'utf8'));
  const wal = calls.filter((call) => call.file.includes('/pg_wal/'));
  return {
    commits,
    syncCalls: calls.length,
    failed: calls.filter((call) => !call.ok).length,
    perCommit: calls.length / commits,
    walPerCommit: wal.length / commits,
    otherFiles: [...new Set(calls.filter((call) => !wal.includes(call)).map((c) => c.file))],
    medianSyscallMs: calls.length > 0 ? median(calls.map((call) => call.ms)) : null,
  };
}
