/**
 * Global setup of the cluster e2e suite (playwright.cluster.config.ts): coturn (as the suite's
 * own global setup starts it), a throwaway PostgreSQL and Redis, three api instances sharing
 * them (`node apps/api/dist/main.js` children of this runner process, so that a spec can
 * `kill -9` one), the web standalone server and nginx in front of them all, each on a free
 * loopback port. ./cluster-global-teardown.ts stops everything again.
 *
 * The instances get one IDENTITY_SECRET (a user is the same user on any of them), the same
 * DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX, TRUST_PROXY=loopback (nginx's X-Forwarded-For
 * names the client) and ALLOWED_ORIGINS = nginx's origin; the web server gets
 * DUPLEX_API_URL = nginx's URL, so browsers reach the api only through nginx. The rest is the
 * api's defaults (RESUME_GRACE_MS 5 s, INSTANCE_LEASE_MS 10 s).
 *
 * Exported to the specs: DUPLEX_WEB_URL and DUPLEX_API_URL (./env.ts) = nginx's URL, the TURN
 * variables as the suite's own setup exports them, and the cluster's (./cluster-env.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startClusterControl, startReadyInstance, type ClusterControl } from './cluster-control.js';
import { CLUSTER_ENV, CLUSTER_SIZE } from './cluster-env.js';
import { startNginx, type RunningNginx } from './cluster-nginx.js';
import { startLocalStore, type LocalStore } from './cluster-stores.js';
import { ENV } from './env.js';
import {
  assertBuildsExist,
  findFreePort,
  LOOPBACK,
  startWeb,
  stopAllServers,
  waitUntilServing,
  type RunningServer,
  type StartApiOptions,
} from './servers.js';
import {
  startTurnServer,
  turnServerAvailable,
  turnServerMissingMessage,
  type TurnServer,
} from './turn.js';

export const CLUSTER_RESULTS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-results-cluster',
);

/** What global setup started, for teardown (same process). */
export interface ClusterGlobals {
  turn: TurnServer | null;
  stores: LocalStore[];
  control: ClusterControl | null;
  web: RunningServer | null;
  nginx: RunningNginx | null;
}

export function clusterGlobals(): ClusterGlobals {
  const holder = globalThis as { __duplexCluster?: ClusterGlobals };
  holder.__duplexCluster ??= { turn: null, stores: [], control: null, web: null, nginx: null };
  return holder.__duplexCluster;
}

/** `count` free loopback ports, all different. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

export default async function clusterGlobalSetup(): Promise<void> {
  assertBuildsExist();
  // The results folder is not in .gitignore (only `test-results/` is): keep it out of git.
  mkdirSync(CLUSTER_RESULTS_DIR, { recursive: true });
  writeFileSync(join(CLUSTER_RESULTS_DIR, '.gitignore'), '*\n');

  const globals = clusterGlobals();
  const startedAt = Date.now();
  try {
    // coturn, PostgreSQL and Redis first (the instances need their URLs), side by side.
    const [turnResult, postgres, redis] = await Promise.all([
      turnServerAvailable()
        ? startTurnServer().then(
            (turn) => ({ turn, problem: null }),
            (error: unknown) => ({
              turn: null,
              problem: error instanceof Error ? error.message : String(error),
            }),
          )
        : Promise.resolve({ turn: null, problem: turnServerMissingMessage() }),
      startLocalStore('postgres').then((store) => (globals.stores.push(store), store)),
      startLocalStore('redis').then((store) => (globals.stores.push(store), store)),
    ]);
    const { turn, problem: turnProblem } = turnResult;
    globals.turn = turn;
    if (turn) {
      process.env[ENV.turnUrls] = turn.urls.join(',');
      process.env[ENV.turnPort] = String(turn.port);
      process.env[ENV.turnPid] = String(turn.pid);
      delete process.env[ENV.turnUnavailable];
    } else {
      process.env[ENV.turnUnavailable] = turnProblem ?? 'coturn did not start';
      console.warn(`e2e cluster: no TURN server (calls use host candidates only): ${turnProblem}`);
    }

    const [nginxPort, webPort, ...apiPorts] = await freePorts(2 + CLUSTER_SIZE);
    const nginxUrl = `http://${LOOPBACK}:${nginxPort}`;
    const sharedEnv: Record<string, string> = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `e2e-${randomUUID()}:`,
      IDENTITY_SECRET: randomBytes(24).toString('base64url'),
      TRUST_PROXY: 'loopback',
      // Every browser of the suite reads history from 127.0.0.1: one address, many people.
      HTTP_READ_BURST: '100000',
      ...(turn && { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret }),
    };
    const apiOptions: StartApiOptions[] = apiPorts.map((port) => ({
      port,
      allowedOrigins: [nginxUrl],
      env: sharedEnv,
    }));
    // The first alone (it runs the migrations), then the others side by side.
    const first = await startReadyInstance(apiOptions[0]!);
    const instances: RunningServer[] = [first];
    const rest = await Promise.allSettled(apiOptions.slice(1).map(startReadyInstance));
    for (const result of rest) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = rest.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    globals.control = await startClusterControl(instances, apiOptions);

    globals.nginx = await startNginx({ port: nginxPort!, apiPorts, webPort: webPort! });
    globals.web = await startWeb({ port: webPort!, apiUrl: nginxUrl });
    // Through nginx: the web app at /, an instance at /ready.
    await waitUntilServing(globals.web, `${nginxUrl}/`);
    await waitUntilServing(globals.web, `${nginxUrl}/ready`);

    process.env[ENV.webUrl] = nginxUrl;
    process.env[ENV.apiUrl] = nginxUrl;
    process.env[ENV.webPid] = String(globals.web.pid);
    process.env[CLUSTER_ENV.nginxUrl] = nginxUrl;
    process.env[CLUSTER_ENV.nginxPid] = String(globals.nginx.pid);
    process.env[CLUSTER_ENV.webDirectUrl] = globals.web.url;
    process.env[CLUSTER_ENV.apiPorts] = apiPorts.join(',');
    process.env[CLUSTER_ENV.apiPids] = instances.map((instance) => instance.pid).join(',');
    process.env[CLUSTER_ENV.apiMetricsUrls] = instances
      .map((instance) => `${instance.url}/metrics`)
      .join(',');
    process.env[CLUSTER_ENV.controlUrl] = globals.control.url;
    process.env[CLUSTER_ENV.databaseUrl] = postgres.url;
    process.env[CLUSTER_ENV.redisUrl] = redis.url;
    console.log(
      `e2e cluster: nginx ${nginxUrl} (pid ${globals.nginx.pid}) → web ${globals.web.url}, ` +
        `api ${instances.map((instance) => `${instance.url} (pid ${instance.pid})`).join(', ')}; ` +
        `${postgres.url}, ${redis.url}` +
        (turn ? `, coturn ${LOOPBACK}:${turn.port}` : ', no coturn') +
        `; up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    await stopCluster();
    throw error;
  }
}

/** Stops whatever global setup started, in reverse order; used by teardown too. */
export async function stopCluster(): Promise<void> {
  const globals = clusterGlobals();
  await globals.nginx?.stop().catch(() => undefined);
  globals.nginx = null;
  await globals.control?.close();
  globals.control = null;
  // The web server and every api instance (the ones restarted by specs included).
  await stopAllServers();
  globals.web = null;
  await Promise.allSettled(globals.stores.map((store) => store.remove()));
  globals.stores = [];
  await globals.turn?.stop();
  globals.turn = null;
}
