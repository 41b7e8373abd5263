/** Content hashes of files and folders (names, modes and bytes, in a stable order), for cache keys and records. */

import { createHash, type Hash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Feed a file, or a folder recursively, into `hash`, each entry under `label`-prefixed relative names. */
export async function hashTree(hash: Hash, path: string, label: string): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const child of (await readdir(path)).sort()) await hashTree(hash, join(path, child), `${label}/${child}`);
  } else {
    hash
      .update(`${label}\0${info.mode & 0o777}\0`)
      .update(await readFile(path))
      .update('\0');
  }
}

/** sha256 hex of a file or folder tree. */
export async function sha256Tree(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashTree(hash, path, '.');
  return hash.digest('hex');
}

/** sha256 hex of one file's bytes (what `sha256sum` prints). */
export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}
