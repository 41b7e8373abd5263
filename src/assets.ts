/**
 * Non-TypeScript files that ship with labgym (shell and Python scripts copied into sandboxes).
 * They stay in src/; compiled code in dist/ sits at the same depth, so one relative path serves both.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the labgym checkout (the folder holding package.json). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Read a file shipped under src/, by its path relative to src/ (e.g. "sandbox/docker/kill.sh"). */
export function readAsset(pathInSrc: string): string {
  return readFileSync(new URL(`../src/${pathInSrc}`, import.meta.url), 'utf8');
}

/** The absolute path of a file or folder shipped under src/. */
export function assetPath(pathInSrc: string): string {
  return fileURLToPath(new URL(`../src/${pathInSrc}`, import.meta.url));
}
