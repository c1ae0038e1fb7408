import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const SECRET_FILE = 'identity-secret';
/** As short as `IDENTITY_SECRET` may be; anything shorter in the file is not a secret we made. */
const MIN_SECRET_CHARS = 16;

export class IdentitySecretError extends Error {}

/**
 * The secret identities are signed with: `configured` when set (every instance of a deployment
 * shares it), else one generated on first start and kept in `dataDir`, so identities survive
 * restarts of an embedded api. A kept file that holds no usable secret (cut short by a crash)
 * stops the start: signing with it would let anyone forge any user's identity.
 */
export async function loadIdentitySecret(
  configured: string | undefined,
  dataDir: string,
): Promise<string> {
  if (configured !== undefined) return configured;
  const path = join(dataDir, SECRET_FILE);
  const kept = await readSecret(path);
  if (kept !== undefined) return kept;
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // Written and synced in full under a name of its own, then linked into place: the link fails
  // when the file exists already, and nobody ever reads it half written.
  const draft = `${path}.${randomBytes(8).toString('hex')}`;
  try {
    await writeSynced(draft, `${secret}\n`);
    await link(draft, path);
    return secret;
  } catch (error) {
    // Another process sharing the folder kept one first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readSecret(path);
    if (theirs === undefined) throw error;
    return theirs;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** The secret kept at `path`; `undefined` when there is no such file. */
async function readSecret(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_CHARS) {
    throw new IdentitySecretError(
      `${path} holds no usable identity secret; remove it to have a new one made ` +
        '(identities issued so far then stand for new users) or set IDENTITY_SECRET',
    );
  }
  return secret;
}

async function writeSynced(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}
