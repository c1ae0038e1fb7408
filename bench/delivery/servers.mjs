// The three servers of the delivery benchmark, each started fresh, pinned to CPU 0 when the
// machine allows it, with bench/fanout/bench-preload.mjs loaded (SIGHUP: full GC before an RSS
// reading; SIGUSR2: CPU profiler on/off). Duplex and the bare reference speak Duplex's envelope,
// the Socket.IO reference speaks Socket.IO.
import path from 'node:path';
import { startApi, startNodeServer, stopApi, stopNodeServer } from '../lib/api-child.mjs';
import { limitCpu } from '../lib/cpu-quota.mjs';
import { sleep } from '../lib/net.mjs';
import { rssKiB } from '../lib/proc.mjs';
import { duplexWire } from './wire-duplex.mjs';
import { socketIoWire } from './wire-socketio.mjs';

export const SERVER_CPU = '0';
export const GENERATOR_CPU = '1';

export const SERVERS = {
  bare: { label: 'bare ws', wire: duplexWire, script: 'bench/fanout/reference-server.mjs' },
  socketio: {
    label: 'Socket.IO 4.8',
    wire: socketIoWire,
    script: 'bench/delivery/socketio-server.mjs',
  },
  duplex: { label: 'Duplex api', wire: duplexWire, script: 'apps/api/dist/main.js', api: true },
  // The same api from tsc's separate modules, as before it was bundled: what the bundle saves.
  'duplex-modules': {
    label: 'Duplex api, unbundled',
    wire: duplexWire,
    script: 'apps/api/build/main.js',
    api: true,
  },
};

// Only the rate limit is raised, so that senders are not throttled; persistence, validation and
// sessions stay as in production (as in bench/fanout).
const DUPLEX_ENV = { MESSAGES_PER_SECOND: '100000', BURST: '100000' };

/**
 * Starts server `kind`. `dataDir` and `port` restart the api on an existing data folder;
 * `profilePath` arms the CPU profiler hook; `cpuFraction` limits the server, once it is ready,
 * to that fraction of its core (see bench/lib/cpu-quota.mjs).
 */
export async function startServer(
  kind,
  { repoRoot, runDir, pin, profilePath, dataDir, port, tag, cpuFraction = null },
) {
  const spec = SERVERS[kind];
  const options = {
    repoRoot,
    cpuList: pin ? SERVER_CPU : null,
    port,
    nodeArgs: ['--expose-gc', '--import', path.join(repoRoot, 'bench/fanout/bench-preload.mjs')],
    logPath: path.join(runDir, `${kind}-${tag}.log`),
    pollMs: 25,
    env: profilePath ? { BENCH_CPU_PROFILE: profilePath } : {},
  };
  const script = path.join(repoRoot, spec.script);
  const server = spec.api
    ? await startApi({ ...options, main: script, dataDir, env: { ...DUPLEX_ENV, ...options.env } })
    : await startNodeServer({ ...options, script });
  const cpuQuota = cpuFraction ? limitCpu(server.pid, cpuFraction) : null;
  return Object.assign(server, { kind, wire: spec.wire, label: spec.label, cpuQuota });
}

export async function stopServer(server, { keepDataDir = false } = {}) {
  if (SERVERS[server.kind].api) await stopApi(server, { keepDataDir });
  else await stopNodeServer(server);
  server.cpuQuota?.release();
}

/**
 * RSS after `passes` forced full GCs a second apart in the server (see bench-preload.mjs), in
 * KiB: the api's start-up leaves hundreds of MiB of garbage that would otherwise swamp the reading.
 */
export async function settledRssKiB(server, passes = 3) {
  for (let i = 0; i < passes; i += 1) {
    server.child.kill('SIGHUP');
    await sleep(1000);
  }
  return rssKiB(server.pid);
}
