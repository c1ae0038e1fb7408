// Adds up the JSON reports of every suite (vitest, interop, Playwright) into one closing line:
// `tests: N passed, N failed, N skipped`. A suite that wrote no report counts as a failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.reports';
const expected = [
  'vitest-protocol',
  'vitest-client',
  'vitest-api',
  // The api suites again as three instances on PostgreSQL and Redis, unless skipped on purpose.
  ...(process.env.DUPLEX_SKIP_POSTGRES === '1' || process.env.DUPLEX_SKIP_REDIS === '1'
    ? []
    : ['vitest-api-cluster']),
  'vitest-web',
  'interop-python',
  'quick-start',
  'playwright-e2e',
  'playwright-tour',
  // The browsers again against three api instances behind nginx, unless skipped on purpose.
  ...(process.env.DUPLEX_SKIP_POSTGRES === '1' || process.env.DUPLEX_SKIP_REDIS === '1'
    ? []
    : ['playwright-e2e-cluster']),
];
const totals = { passed: 0, failed: 0, skipped: 0 };

function addVitest(report) {
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A file that failed without a failed test (it did not load, or a hook failed) fails the run.
  totals.failed += report.testResults.filter(
    (file) =>
      file.status === 'failed' &&
      !file.assertionResults.some((assertion) => assertion.status === 'failed'),
  ).length;
}

function addPlaywright(report) {
  totals.passed += report.stats.expected + report.stats.flaky;
  totals.failed += report.stats.unexpected;
  totals.skipped += report.stats.skipped;
  totals.failed += (report.errors ?? []).length;
}

// interop/run.sh and scripts/quick-start-check.sh write `{passed, failed, skipped, tests}`.
function addCounts(report) {
  totals.passed += report.passed;
  totals.failed += report.failed;
  totals.skipped += report.skipped;
}

const found = new Set();
for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  const name = file.replace(/\.json$/, '');
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  found.add(name);
  if (name.startsWith('vitest-')) addVitest(report);
  else if (name.startsWith('playwright-')) addPlaywright(report);
  else if (name.startsWith('interop-') || name === 'quick-start') addCounts(report);
}
const missing = expected.filter((name) => !found.has(name));
for (const name of missing)
  console.error(`test-summary: no report from ${name} (the suite did not run to the end)`);
totals.failed += missing.length;

console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
