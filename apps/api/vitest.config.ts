import { defineConfig } from 'vitest/config';

/**
 * The suites about storage, chat, sessions, presence and calls: with `DUPLEX_TEST_STORE=cluster`
 * only these run, each api as three instances on a PostgreSQL database of its own and Redis,
 * clients spread over the instances (`postgres`: one instance on PostgreSQL; see
 * test/support/api-server.ts and test-storage.ts).
 * Not among them: identity and durability restart an api on the same `DATA_DIR` and
 * store-durability reads the files under it (they test the embedded store); store-contract and
 * postgres-* run on PostgreSQL servers of their own in every run.
 */
const SHARED_STORE_SUITES = [
  'chat-rooms',
  'chat-resume',
  'session-resume',
  'multi-session',
  'join-ack',
  'calls-records',
  'calls-lifecycle',
  'calls-tabs',
  'calls-errors',
  'calls-early-offer',
  'presence',
  'reply-order',
  'http',
  'strings',
  'flood',
  'backlog',
  // That the run is on PostgreSQL indeed.
  'test-storage',
];

export default defineConfig({
  test: {
    include:
      process.env.DUPLEX_TEST_STORE === 'postgres' || process.env.DUPLEX_TEST_STORE === 'cluster'
        ? SHARED_STORE_SUITES.map((suite) => `test/${suite}.test.ts`)
        : ['test/**/*.test.ts'],
    // Also refuses a missing or stale build of src/storage: the embedded store's worker thread
    // runs from build/ (Node cannot start a worker from the TypeScript that vitest runs).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Each file starts its own api on a free port; run files one at a time on two cores.
    fileParallelism: false,
  },
});
