// Last step of the api's build: bundles the compiled modules (build/) into dist/, the api as it
// runs (`node dist/main.js`) and as `pnpm deploy` ships it.
//
// Why a bundle: Node 20 has no compile cache, and loading Nest, Express, rxjs and the api as
// some 500 separate files (each resolved, stat'ed, read and compiled) took most of the api's
// start. One bundle starts in about a third of the time (docs/benchmarks.md, "First start").
//
// It bundles tsc's output rather than the TypeScript sources, so that decorator metadata (which
// Nest's dependency injection reads) is exactly what tsc emits.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { BUNDLED_FROM_FILE, buildDigest } from './build-digest.mjs';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(apiDir, 'build');
const dist = path.join(apiDir, 'dist');

/**
 * Loaded from node_modules at run time instead:
 * - better-sqlite3: a native addon, found through its own package folder;
 * - PGlite: WebAssembly and data files beside its modules;
 * - pg, redis: only loaded when DATABASE_URL or REDIS_URL is set, so they cost a start nothing.
 */
const RUNTIME_PACKAGES = ['better-sqlite3', 'pg', '@electric-sql/pglite', 'redis'];

/**
 * Packages that Nest only tries to load (inside try/catch) for features the api does not use;
 * none is installed, and a bundle that required one would fail at start.
 */
const OPTIONAL_PACKAGES = [
  '@nestjs/microservices',
  '@nestjs/platform-socket.io',
  'class-transformer',
  'class-validator',
];

const belongsTo = (id, name) => id === name || id.startsWith(`${name}/`);
const isExternal = (id) =>
  id.startsWith('node:') ||
  [...RUNTIME_PACKAGES, ...OPTIONAL_PACKAGES].some((name) => belongsTo(id, name));

/** Hands tsc's source maps to the bundler, so that the bundle's map points into src/. */
const compiledSourceMaps = {
  name: 'compiled-source-maps',
  load(id) {
    const map = `${id}.map`;
    if (!id.startsWith(compiled + path.sep) || !existsSync(map)) return null;
    return { code: readFileSync(id, 'utf8'), map: readFileSync(map, 'utf8') };
  },
};

const bundle = await rolldown({
  input: {
    main: path.join(compiled, 'main.js'),
    // Started as a worker thread from the same folder (see storeWorkerUrl).
    'store-worker': path.join(compiled, 'storage/store-worker.js'),
  },
  platform: 'node',
  external: isExternal,
  plugins: [compiledSourceMaps],
  // An import that cannot be resolved would otherwise become a silent external: fail instead.
  onLog(level, log) {
    if (level === 'warn') throw new Error(`bundle: ${log.code}: ${log.message}`);
  },
});
await bundle.write({
  dir: dist,
  format: 'esm',
  // Nest names providers and log contexts after classes.
  keepNames: true,
  // Licence notices stay; documentation comments only cost parsing at every start.
  comments: { legal: true, annotation: false, jsdoc: false },
  sourcemap: true,
  cleanDir: true,
});
await bundle.close();

// The PGlite data folder image (built by build/storage/data-dir-image-build.js) is read from
// beside the module that opens PGlite, which is now a chunk of dist/.
const image = path.join(compiled, 'storage/data-dir-image.tar.gz');
if (existsSync(image)) copyFileSync(image, path.join(dist, 'data-dir-image.tar.gz'));

writeFileSync(path.join(dist, BUNDLED_FROM_FILE), `${buildDigest(compiled)}\n`);

const files = readdirSync(dist).filter((file) => file.endsWith('.js'));
console.log(`bundle: ${files.length} files in dist/`);
