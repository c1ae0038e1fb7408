// What the machine was like during a run: it may be shared, so the load is part of the result.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineJiffies() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, iowait, total };
}

/** What `work` cost: this process's CPU, and the whole machine's jiffies meanwhile. */
export async function measured(work) {
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineJiffies();
  const result = await work();
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineJiffies();
  return {
    result,
    cpuMs: (cpu.user + cpu.system) / 1000,
    busyJiffies: machineAfter.busy - machineBefore.busy,
    iowaitJiffies: machineAfter.iowait - machineBefore.iowait,
    totalJiffies: machineAfter.total - machineBefore.total,
  };
}

/** Jiffies are 1/100 s here (`getconf CLK_TCK`); CPU time of other processes as a share of all. */
export function otherBusyPct({ busyJiffies, totalJiffies, cpuMs }) {
  if (totalJiffies <= 0) return 0;
  return Math.max(0, (100 * (busyJiffies - cpuMs / 10)) / totalJiffies);
}

/** The file system a path lives on, from the longest matching mount point in /proc/mounts. */
export function fileSystemOf(dir) {
  const real = realpathSync(dir);
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(
      ([, mountPoint]) =>
        mountPoint &&
        (real === mountPoint || real.startsWith(`${mountPoint === '/' ? '' : mountPoint}/`)),
    );
  const [device, mountPoint, type, options] = mounts.sort((a, b) => b[1].length - a[1].length)[0];
  return { device, mountPoint, type, options };
}

function gitCommit(repoRoot) {
  try {
    return execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return null;
  }
}

export function describeMachine(repoRoot, dataRoot) {
  return {
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    commit: gitCommit(repoRoot),
    dataFileSystem: fileSystemOf(dataRoot),
    loadavg: loadavg(),
  };
}
