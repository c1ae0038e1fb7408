/**
 * Names of the environment variables the cluster's global setup (./cluster-global-setup.ts)
 * exports to the cluster specs, on top of the suite's own (./env.ts): there DUPLEX_WEB_URL and
 * DUPLEX_API_URL are both nginx's URL, the one address browsers use.
 *
 * The instances' pids change when a spec restarts one: these variables give the instances as
 * global setup started them; the control endpoint (./cluster-api.ts, `clusterInstances()`)
 * gives them as they are now.
 */
export const CLUSTER_ENV = {
  /** nginx in front of everything: `http://127.0.0.1:<port>`. */
  nginxUrl: 'DUPLEX_CLUSTER_NGINX_URL',
  nginxPid: 'DUPLEX_CLUSTER_NGINX_PID',
  /** The web standalone server itself (behind nginx). */
  webDirectUrl: 'DUPLEX_CLUSTER_WEB_DIRECT_URL',
  /** The api instances, comma-joined, in instance order (instance 0, 1, 2). */
  apiPorts: 'DUPLEX_CLUSTER_API_PORTS',
  apiPids: 'DUPLEX_CLUSTER_API_PIDS',
  /** Each instance's own `/metrics` (nginx does not serve /metrics). */
  apiMetricsUrls: 'DUPLEX_CLUSTER_API_METRICS_URLS',
  /** Global setup's endpoint that lists, stops, kills and starts the instances. */
  controlUrl: 'DUPLEX_CLUSTER_CONTROL_URL',
  databaseUrl: 'DUPLEX_CLUSTER_DATABASE_URL',
  redisUrl: 'DUPLEX_CLUSTER_REDIS_URL',
} as const;

export type ClusterEnvName = (typeof CLUSTER_ENV)[keyof typeof CLUSTER_ENV];

export function requireClusterEnv(name: ClusterEnvName): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `e2e cluster: ${name} is not set; did the cluster's global setup run? ` +
        '(start the suite with e2e/run-cluster.sh)',
    );
  return value;
}

/** How many api instances the cluster runs. */
export const CLUSTER_SIZE = 3;
