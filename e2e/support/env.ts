/** Names of the environment variables global setup exports to the specs. */
export const ENV = {
  webUrl: 'DUPLEX_WEB_URL',
  apiUrl: 'DUPLEX_API_URL',
  apiPort: 'DUPLEX_API_PORT',
  apiPid: 'DUPLEX_API_PID',
  webPid: 'DUPLEX_WEB_PID',
  apiDataDir: 'DUPLEX_API_DATA_DIR',
  /** coturn started by global setup: its TURN URLs (comma-joined) and port. */
  turnUrls: 'DUPLEX_TURN_URLS',
  turnPort: 'DUPLEX_TURN_PORT',
  turnPid: 'DUPLEX_TURN_PID',
  /** Set instead of the TURN variables when coturn could not be started: why. */
  turnUnavailable: 'DUPLEX_TURN_UNAVAILABLE',
  /** The api's RESUME_GRACE_MS, as global setup started it. */
  resumeGraceMs: 'DUPLEX_RESUME_GRACE_MS',
  /** Global setup's endpoint that stops and starts the api (support/api-control.ts). */
  controlUrl: 'DUPLEX_E2E_CONTROL_URL',
} as const;

export function requireEnv(name: (typeof ENV)[keyof typeof ENV]): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `e2e: ${name} is not set; did global setup run? (start the suite with e2e/run.sh)`,
    );
  return value;
}

/** ws:// URL of an api path, e.g. apiWsUrl('/ws/echo'). */
export function apiWsUrl(path: string): string {
  return requireEnv(ENV.apiUrl).replace(/^http/, 'ws') + path;
}
