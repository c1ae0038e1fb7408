// The api runs as one bundle (dist/, made by scripts/bundle.mjs from tsc's build/). A bundle
// that left the framework outside, or held two copies of it, would still start, but Nest's own
// logging (and any other static state of @nestjs/common) would split in two.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from './support/api-process.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const requireFromDist = createRequire(join(DIST, 'main.js'));

/** Whether Node would find `specifier` from dist/ (optional packages Nest probes for are not installed). */
function installed(specifier: string): boolean {
  try {
    requireFromDist.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** Bare specifiers the bundle still imports or requires at run time. */
async function runtimeImports(): Promise<Set<string>> {
  const specifiers = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g;
  for (const file of await readdir(DIST)) {
    if (!file.endsWith('.js')) continue;
    const code = await readFile(join(DIST, file), 'utf8');
    for (const match of code.matchAll(pattern)) specifiers.add(match[1]!);
  }
  return specifiers;
}

describe('the bundled api (dist/)', () => {
  let api: ApiProcess | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('holds the framework itself: no Nest, Express or rxjs module is loaded from node_modules', async () => {
    const imports = [...(await runtimeImports())];
    expect(imports.length).toBeGreaterThan(0);
    const framework = imports.filter(
      (specifier) =>
        /^(@nestjs\/|express$|express\/|rxjs|reflect-metadata|ws$|pino$|zod)/.test(specifier) &&
        installed(specifier),
    );
    expect(framework).toEqual([]);
  });

  it("routes Nest's own logs into the api's JSON logger, one copy of Nest", async () => {
    api = await startApiProcess({ LOG_LEVEL: 'info' });
    await expect
      .poll(() => api!.output(), { timeout: 10_000 })
      .toContain('"msg":"duplex api listening"');
    // output() is a header line, then what the process wrote.
    const lines = api
      .output()
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as { service?: string; context?: string; msg?: string };
      } catch {
        throw new Error(`a log line that is not JSON: ${line}`);
      }
    });
    expect(records.every((record) => record.service === 'duplex-api')).toBe(true);
    expect(records).toContainEqual(
      expect.objectContaining({
        context: 'NestApplication',
        msg: 'Nest application successfully started',
      }),
    );
  });
});
