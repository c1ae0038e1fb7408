/**
 * PostgreSQL and Redis for the cluster e2e suite: throwaway servers on 127.0.0.1 started by the
 * repository's own scripts (scripts/local-postgres.sh, scripts/local-redis.sh), each in a
 * folder of its own that is removed again by `remove()`. As root the scripts install the
 * Debian packages when they are missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './servers.js';

export interface LocalStore {
  readonly kind: 'postgres' | 'redis';
  /** `postgresql://…` or `redis://…`. */
  readonly url: string;
  readonly dir: string;
  /** Stops the server and deletes its folder. */
  remove(): Promise<void>;
}

const SCRIPTS = {
  postgres: join(REPO_ROOT, 'scripts/local-postgres.sh'),
  redis: join(REPO_ROOT, 'scripts/local-redis.sh'),
} as const;

/** Folders still to remove if the runner exits without teardown. */
const live = new Map<string, LocalStore['kind']>();
process.once('exit', () => {
  for (const [dir, kind] of live) {
    try {
      execFileSync('bash', [SCRIPTS[kind], 'remove', dir], { stdio: 'ignore', timeout: 20_000 });
    } catch {
      // Best effort: the runner is exiting anyway.
    }
  }
});

function runScript(kind: LocalStore['kind'], args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPTS[kind], ...args],
      { cwd: REPO_ROOT, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `e2e cluster: ${SCRIPTS[kind]} ${args.join(' ')} failed: ${error.message}\n${stderr}`,
            ),
          );
        else resolve(stdout.trim());
      },
    );
  });
}

/**
 * Starts a local PostgreSQL (`kind: 'postgres'`) or Redis in a new folder under /tmp (short:
 * PostgreSQL's socket path must fit in 107 bytes) and resolves with its URL.
 */
export async function startLocalStore(kind: LocalStore['kind']): Promise<LocalStore> {
  const dir = mkdtempSync(join('/tmp', `duplex-e2e-${kind}-`));
  live.set(dir, kind);
  let url: string;
  try {
    url = (await runScript(kind, ['start', dir])).split('\n').at(-1) ?? '';
  } catch (error) {
    await runScript(kind, ['remove', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
    throw error;
  }
  const pattern = kind === 'postgres' ? /^postgres(ql)?:\/\// : /^redis:\/\//;
  if (!pattern.test(url))
    throw new Error(`e2e cluster: ${SCRIPTS[kind]} start printed no URL but "${url}"`);
  return {
    kind,
    url,
    dir,
    remove: async () => {
      if (!live.has(dir)) return;
      live.delete(dir);
      await runScript(kind, ['remove', dir]);
    },
  };
}
