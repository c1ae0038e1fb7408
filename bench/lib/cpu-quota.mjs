// A CPU quota for one process through a cgroup of its own (Linux, root): the process and every
// thread it has or starts get `fraction` of one core, enforced by the kernel's CFS bandwidth
// control. The delivery benchmark uses it so that the server, not the load generator, is the
// limit of a rate search: its generator costs about as much CPU per delivery as the servers do.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A short period keeps a throttled server's pauses short (at most `period × (1 − fraction)`),
// so they do not show up as latency the server itself would not have.
const PERIOD_US = 10_000;

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/cpu';

function hierarchy() {
  if (existsSync(path.join(V2_ROOT, 'cgroup.controllers'))) {
    const controllers = readFileSync(path.join(V2_ROOT, 'cgroup.subtree_control'), 'utf8');
    return controllers.split(/\s+/).includes('cpu') ? 'v2' : null;
  }
  return existsSync(path.join(V1_ROOT, 'cpu.cfs_quota_us')) ? 'v1' : null;
}

/** Why `limitCpu` cannot work here, or null when it can. */
export function cpuQuotaUnavailable() {
  if (process.getuid?.() !== 0) return 'a CPU quota needs root (it makes a cgroup)';
  if (!hierarchy()) return 'no cgroup CPU controller is mounted here';
  return null;
}

/**
 * Puts process `pid` (all its threads) into a new cgroup limited to `fraction` of one core.
 * Returns `release()`, which removes the cgroup once the process has exited.
 */
export function limitCpu(pid, fraction, name = `duplex-bench-${pid}`) {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`CPU fraction ${fraction} not in (0, 1]`);
  const kind = hierarchy();
  const quotaUs = Math.round(PERIOD_US * fraction);
  const dir = path.join(kind === 'v2' ? V2_ROOT : V1_ROOT, name);
  mkdirSync(dir);
  if (kind === 'v2') {
    writeFileSync(path.join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`);
  } else {
    writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
  }
  writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
  return {
    dir,
    /** Periods so far in which the process ran, and those in which it used up its quota. */
    periods() {
      const stat = readFileSync(path.join(dir, 'cpu.stat'), 'utf8');
      const count = (key) => Number(new RegExp(`${key} (\\d+)`).exec(stat)?.[1] ?? NaN);
      return { run: count('nr_periods'), throttled: count('nr_throttled') };
    },
    release() {
      try {
        rmdirSync(dir);
      } catch {
        // Still holds a process (it did not exit): the kernel refuses; nothing else to do.
      }
    },
  };
}
