import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An initialised, empty PGlite data directory that test servers copy instead of running initdb. */
    pgliteTemplate: string;
  }
}

/** Runs PGlite's initdb (seconds) once per test run; every test server starts from a copy. */
export default async function setup(project: TestProject) {
  const template = await mkdtemp(join(tmpdir(), 'duplex-pglite-template-'));
  const db = await PGlite.create(template);
  await db.close();
  project.provide('pgliteTemplate', template);
  return () => rm(template, { recursive: true, force: true });
}
