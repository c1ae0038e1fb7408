/**
 * Playwright configuration of the call set-up benchmark (bench/calls/call-setup.bench.ts).
 * Start it with `bash bench/calls/run.sh` (or `pnpm --filter @duplex/bench calls`): the runner
 * puts it in a loopback-only network namespace. The benchmark starts coturn, the api and the web
 * app itself and launches its own browsers, so there is no global setup and no `use` block.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const callsDir = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  testDir: callsDir,
  testMatch: 'call-setup.bench.ts',
  outputDir: join(callsDir, '..', 'results', 'calls-playwright'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 8 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
});
