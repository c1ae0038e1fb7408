/**
 * Run by the api's build (`node build/storage/data-dir-image-build.js`): makes
 * {@link DATA_DIR_IMAGE}, a new data folder already through initdb and every migration, from
 * the PGlite the api runs on, so the image always matches it.
 */
import { writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { DATA_DIR_IMAGE, pgliteSqlClient } from './pglite-client.js';
import { migrate } from './schema.js';

const db = await PGlite.create();
try {
  await migrate(pgliteSqlClient(db));
  const image = await db.dumpDataDir('gzip');
  await writeFile(DATA_DIR_IMAGE, Buffer.from(await image.arrayBuffer()));
} finally {
  await db.close();
}
