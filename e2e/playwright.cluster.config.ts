/**
 * The cluster e2e suite (`bash run-cluster.sh`): the specs in cluster-specs/ against three api
 * instances on PostgreSQL and Redis behind nginx, with the web standalone server, all started
 * by support/cluster-global-setup.ts. Browsers reach everything through nginx (baseURL).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteConfig } from './support/suite-config.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));

export default suiteConfig({
  testDir: 'cluster-specs',
  resultsDir: join(e2eDir, 'test-results-cluster'),
  reportFile: 'results.json',
  globalSetup: './support/cluster-global-setup.ts',
  globalTeardown: './support/cluster-global-teardown.ts',
  timeout: 90_000,
});
