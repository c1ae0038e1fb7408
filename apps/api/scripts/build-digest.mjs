// A digest of tsc's output (build/), written into the bundle made from it: the test run compares
// the two to refuse a bundle of other code than the build (test/support/global-setup.ts).
// Contents, not timestamps: restoring a build from turbo's cache may write files in any order.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The file in dist/ that holds the digest of the build it was bundled from. */
export const BUNDLED_FROM_FILE = 'bundled-from.sha256';

/** SHA-256 over every `.js` file under `dir`: its path and its contents, in path order. */
export function buildDigest(dir) {
  const hash = createHash('sha256');
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.js'))
    .sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(dir, file)));
  }
  return hash.digest('hex');
}
