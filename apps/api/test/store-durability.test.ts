import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { EMBEDDED_ENGINES } from '../src/storage/embedded-engine.js';
import { openPgliteClient } from '../src/storage/pglite-client.js';
import type { SqlClient } from '../src/storage/sql-client.js';
import { migrate } from '../src/storage/schema.js';
import { SqlMessageStore } from '../src/storage/sql-message-store.js';

const ann = { userId: 'u-ann', name: 'Ann' };
const dirs: string[] = [];
const clients: SqlClient[] = [];

async function templateCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-durability-'));
  dirs.push(dir);
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-durability-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the embedded PGlite store is durable before the ack', () => {
  it('runs Postgres with fsync on, syncing the WAL with fsync()', async () => {
    const client = await openPgliteClient(await templateCopy());
    clients.push(client);
    expect(await client.query('SHOW fsync')).toEqual([{ fsync: 'on' }]);
    expect(await client.query('SHOW wal_sync_method')).toEqual([{ wal_sync_method: 'fsync' }]);
  });

  it('reaches the file system with an fsync for every stored batch, before it resolves', async () => {
    const synced: number[] = [];
    const client = await openPgliteClient(await templateCopy(), (fd) => synced.push(fd));
    clients.push(client);
    await migrate(client);
    const store = new SqlMessageStore(client);
    for (let i = 0; i < 10; i++) {
      const before = synced.length;
      await store.appendBatch('durable', [
        {
          room: 'durable',
          clientId: `c-${i}`,
          from: ann,
          text: 'hi',
          ts: new Date().toISOString(),
        },
      ]);
      expect(synced.length).toBeGreaterThan(before);
    }
  });
});

const hasStrace = spawnSync('strace', ['-V']).status === 0;
/** More commits than the few fsyncs Postgres makes at start-up and checkpoints without this fix. */
const BATCHES = 40;

describe.runIf(hasStrace)('seen from the kernel (strace)', () => {
  it('makes at least one fsync system call per stored batch', async () => {
    const dataDir = await templateCopy();
    const dir = await mkdtemp(join(tmpdir(), 'duplex-durability-script-'));
    dirs.push(dir);
    const script = join(dir, 'append.mjs');
    const storeModule = new URL('../build/storage/sql-message-store.js', import.meta.url).href;
    const clientModule = new URL('../build/storage/pglite-client.js', import.meta.url).href;
    const schemaModule = new URL('../build/storage/schema.js', import.meta.url).href;
    await writeFile(
      script,
      `const BATCHES = ${BATCHES};
const { SqlMessageStore } = await import(${JSON.stringify(storeModule)});
const { openPgliteClient } = await import(${JSON.stringify(clientModule)});
const { migrate } = await import(${JSON.stringify(schemaModule)});
const client = await openPgliteClient(${JSON.stringify(dataDir)});
await migrate(client);
const store = new SqlMessageStore(client);
for (let i = 0; i < BATCHES; i++) {
  await store.appendBatch('room', [{ room: 'room', clientId: 'c' + i, from: { userId: 'u', name: 'U' }, text: 't', ts: new Date().toISOString() }]);
}
await client.close();
`,
    );
    const summary = join(dir, 'strace.txt');
    execFileSync('strace', [
      '-f',
      '-c',
      '-e',
      'trace=fsync,fdatasync',
      '-o',
      summary,
      'node',
      script,
    ]);
    // `strace -c` prints a table: % time, seconds, usecs/call, calls, [errors], syscall.
    const fsyncRow = (await readFile(summary, 'utf8'))
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((columns) => columns.at(-1) === 'fsync');
    expect(Number(fsyncRow?.[3] ?? 0)).toBeGreaterThanOrEqual(BATCHES);
  }, 60_000);

  it.each(EMBEDDED_ENGINES)(
    '%s as the api runs it, in a worker thread: at least one fsync per stored batch, all from that thread',
    async (engine) => {
      const dataDir = engine === 'pglite' ? await templateCopy() : await emptyDir();
      const dir = await mkdtemp(join(tmpdir(), 'duplex-durability-script-'));
      dirs.push(dir);
      const script = join(dir, 'append-in-worker.mjs');
      const storeModule = new URL('../build/storage/worker-message-store.js', import.meta.url).href;
      // Between the markers (stat of a path of their own), only the appends run; the main
      // thread's id is the process id.
      const marker = join(dir, 'marker');
      await writeFile(
        script,
        `import { statSync } from 'node:fs';
const { openWorkerStore } = await import(${JSON.stringify(storeModule)});
const logger = { error: (...args) => console.error(...args), warn() {}, info() {} };
const store = await openWorkerStore(${JSON.stringify(engine)}, ${JSON.stringify(dataDir)}, logger);
statSync(${JSON.stringify(`${marker}-start`)}, { throwIfNoEntry: false });
for (let i = 0; i < ${BATCHES}; i++) {
  await store.appendBatch('room', [{ room: 'room', clientId: 'c' + i, from: { userId: 'u', name: 'U' }, text: 't', ts: new Date().toISOString() }]);
}
statSync(${JSON.stringify(`${marker}-end`)}, { throwIfNoEntry: false });
await store.close();
console.log(process.pid);
`,
      );
      const trace = join(dir, 'strace.txt');
      const mainThread = execFileSync('strace', [
        '-f',
        '-e',
        'trace=fsync,fdatasync,newfstatat,statx,stat',
        '-o',
        trace,
        'node',
        script,
      ])
        .toString()
        .trim();
      const lines = (await readFile(trace, 'utf8')).split('\n');
      const start = lines.findIndex((line) => line.includes(`${marker}-start`));
      const end = lines.findIndex((line) => line.includes(`${marker}-end`));
      expect(start).toBeGreaterThan(-1);
      expect(end).toBeGreaterThan(start);
      // strace -f begins each line with the thread's id.
      const fsyncThreads = lines
        .slice(start, end)
        .filter((line) => /^\d+\s+fsync\(/.test(line))
        .map((line) => line.split(/\s+/)[0]);
      expect(fsyncThreads.length).toBeGreaterThanOrEqual(BATCHES);
      expect(fsyncThreads).not.toContain(mainThread);
    },
    60_000,
  );
});
