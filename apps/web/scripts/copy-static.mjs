// `output: 'standalone'` leaves out the static assets on purpose (a CDN may serve them);
// copy them next to the standalone server so `node server.js` serves a complete app.
import { cp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const standaloneAppDir = path.join(appDir, '.next/standalone/apps/web');

async function exists(p) {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function copyDir(from, to) {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
  console.log(`copy-static: ${path.relative(appDir, from)} -> ${path.relative(appDir, to)}`);
}

if (!(await exists(standaloneAppDir))) {
  console.error(
    `copy-static: ${standaloneAppDir} is missing; did "next build" run with output: 'standalone'?`,
  );
  process.exit(1);
}

await copyDir(path.join(appDir, '.next/static'), path.join(standaloneAppDir, '.next/static'));

const publicDir = path.join(appDir, 'public');
if (await exists(publicDir)) {
  await copyDir(publicDir, path.join(standaloneAppDir, 'public'));
}
