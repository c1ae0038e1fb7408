// The api's own storage and chat modules as tsc compiled them (apps/api/build/, the input of
// the bundle the api runs), and the PGlite they run on (the same module instance, resolved from
// the api's dependencies), so the benchmark measures the shipped code.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
const apiDir = path.join(repoRoot, 'apps/api');
const apiBuild = path.join(apiDir, 'build');

const BUILT = [
  'storage/pglite-client.js',
  'storage/sql-message-store.js',
  'storage/schema.js',
  'chat/chat.service.js',
  'rooms/room-sequencer.js',
];

const missing = BUILT.filter((file) => !existsSync(path.join(apiBuild, file)));
if (missing.length > 0) {
  throw new Error(
    `apps/api is not built (missing build/${missing.join(', build/')}); run: pnpm --filter @duplex/api build`,
  );
}

const fromApi = (file) => import(pathToFileURL(path.join(apiBuild, file)).href);

/** The ESM entry of a package the api depends on, at its real path (one module instance). */
function apiDependencyEntry(name) {
  const packageDir = realpathSync(path.join(apiDir, 'node_modules', name));
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const root = manifest.exports?.['.'];
  const entry =
    root?.import?.default ?? root?.import ?? root?.default ?? manifest.module ?? manifest.main;
  return {
    url: pathToFileURL(path.join(packageDir, typeof entry === 'string' ? entry : 'index.js')).href,
    version: manifest.version,
  };
}

// Nest's decorators on ChatService need the Reflect metadata API, as in the api's app.ts.
await import(apiDependencyEntry('reflect-metadata').url);

const pglite = apiDependencyEntry('@electric-sql/pglite');
export const pgliteVersion = pglite.version;
export const { PGlite } = await import(pglite.url);
export const { openPgliteClient } = await fromApi('storage/pglite-client.js');
export const { SqlMessageStore } = await fromApi('storage/sql-message-store.js');
export const { migrate } = await fromApi('storage/schema.js');
export const { ChatService } = await fromApi('chat/chat.service.js');
export const { RoomSequencer } = await fromApi('rooms/room-sequencer.js');
