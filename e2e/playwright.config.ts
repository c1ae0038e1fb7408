/**
 * The e2e suite (`bash run.sh`): the specs in specs/ against the api and the web standalone
 * server, with coturn, all started by support/global-setup.ts.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteConfig } from './support/suite-config.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));

export default suiteConfig({
  testDir: 'specs',
  resultsDir: join(e2eDir, 'test-results'),
  reportFile: 'results.json',
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  timeout: 60_000,
});
