/**
 * The specs' side of the cluster: the api instances as they are now (global setup's control
 * endpoint, ./cluster-control.ts), stopping, killing and starting them, and what each says on
 * its own `GET /metrics`: its open `/ws` connections (`duplex_ws_connections{endpoint="/ws"}`)
 * and its reaps of dead instances (`duplex_lease_reaps_total`).
 *
 * Only the running test's pages (and the witnesses it connects itself) talk to the cluster, one
 * test at a time, so the instances' connection gauges count exactly the test's sockets.
 */
import { expect, type TestInfo } from '@playwright/test';
import type { InstanceInfo } from './cluster-control.js';
import { CLUSTER_ENV, requireClusterEnv } from './cluster-env.js';

export type { InstanceInfo } from './cluster-control.js';

async function control<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const response = await fetch(`${requireClusterEnv(CLUSTER_ENV.controlUrl)}${path}`, {
    method,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`e2e cluster: control ${method} ${path} answered ${response.status}: ${text}`);
  return (
    response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text
  ) as T;
}

/** Every api instance as it is now (pid, port, running), in instance order. */
export function clusterInstances(): Promise<InstanceInfo[]> {
  return control('GET', '/instances');
}

/** Starts every instance that is not running; resolves once all of them answer /ready. */
export function ensureClusterRunning(): Promise<InstanceInfo[]> {
  return control('POST', '/ensure');
}

/** SIGTERM to instance `index` (a graceful stop: it closes its sockets with 1001); resolves once it exited. */
export function stopInstance(index: number): Promise<InstanceInfo> {
  return control('POST', `/instances/${index}/stop`);
}

/** Starts instance `index` again on its port; resolves once its /ready answers 200. */
export function startInstance(index: number): Promise<InstanceInfo> {
  return control('POST', `/instances/${index}/start`);
}

/**
 * `kill -9` of instance `index`, sent from here to its pid (a crash: nothing is closed, its
 * lease in Redis is left to run out); resolves once the runner saw the process exit.
 */
export async function kill9Instance(index: number): Promise<InstanceInfo> {
  const before = (await clusterInstances())[index];
  if (!before?.running || before.pid === null)
    throw new Error(`e2e cluster: instance ${index} is not running: ${JSON.stringify(before)}`);
  process.kill(before.pid, 'SIGKILL');
  let after: InstanceInfo | undefined;
  await expect
    .poll(async () => (after = (await clusterInstances())[index])?.running, {
      message: `instance ${index} (pid ${before.pid}) gone after SIGKILL`,
      timeout: 10_000,
    })
    .toBe(false);
  return after!;
}

/** The instance's `/metrics` text, or null when it does not answer (not running). */
export async function instanceMetrics(instance: InstanceInfo): Promise<string | null> {
  if (!instance.running) return null;
  try {
    const response = await fetch(instance.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    return response.ok ? text : null;
  } catch {
    return null;
  }
}

/** A metric's value in a Prometheus text exposition (`name{labels} value`); 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(series)) continue;
    const rest = line.slice(series.length);
    if (!/^\s/.test(rest)) continue;
    return Number(rest.trim().split(/\s+/)[0]);
  }
  return 0;
}

export const WS_CONNECTIONS = 'duplex_ws_connections{endpoint="/ws"}';
export const LEASE_REAPS = 'duplex_lease_reaps_total';

/** One series of every instance, in instance order; null for an instance that is down. */
export async function metricByInstance(series: string): Promise<(number | null)[]> {
  const instances = await clusterInstances();
  return Promise.all(
    instances.map(async (instance) => {
      const text = await instanceMetrics(instance);
      return text === null ? null : metricValue(text, series);
    }),
  );
}

/** Each instance's open `/ws` connections (null: the instance is down). */
export function wsConnectionsByInstance(): Promise<(number | null)[]> {
  return metricByInstance(WS_CONNECTIONS);
}

/**
 * Waits until the running instances hold `total` open `/ws` connections between them (every
 * socket the test opened is connected, every one it closed has been seen closed), and returns
 * each instance's count then.
 */
export async function expectWsConnectionTotal(
  total: number,
  timeout = 20_000,
): Promise<(number | null)[]> {
  let counts: (number | null)[] = [];
  await expect
    .poll(
      async () => {
        counts = await wsConnectionsByInstance();
        // The counts ride along so that a failure shows them.
        return {
          total: counts.reduce<number>((sum, count) => sum + (count ?? 0), 0),
          byInstance: describeCounts(counts),
        };
      },
      { message: 'open /ws connections over the instances', timeout },
    )
    .toMatchObject({ total });
  return counts;
}

/** `[3, null, 1]` → `"i0: 3, i1: down, i2: 1"`. */
export function describeCounts(counts: readonly (number | null)[]): string {
  return counts.map((count, index) => `i${index}: ${count ?? 'down'}`).join(', ');
}

/** On failure, attaches every instance's state and last output lines to the report. */
export async function attachClusterState(testInfo: TestInfo): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  const instances = await clusterInstances().catch(() => []);
  await testInfo.attach('cluster-instances', {
    body: JSON.stringify(instances, null, 2),
    contentType: 'application/json',
  });
  for (const instance of instances) {
    const output = await control<string>('GET', `/instances/${instance.index}/output`).catch(
      (error: unknown) => String(error),
    );
    await testInfo.attach(`instance-${instance.index}-output`, {
      body: output,
      contentType: 'text/plain',
    });
  }
}
