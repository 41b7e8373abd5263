/** Printing helpers shared by the commands: JSON results, and the one-line error channel for user errors. */

import { CommanderError } from 'commander';
import { InterruptedError, LabgymError } from '../errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** File-system failures the user fixes (a full disk, a read-only folder), not bugs. */
const FILE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  EIO: 'input/output error',
};

/** One line for a file-system error (`cannot mkdir /x: read-only file system (EROFS)`), or undefined. */
export function fileErrorLine(error: unknown): string | undefined {
  const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !(code in FILE_ERRORS) || typeof syscall !== 'string') return undefined;
  return `cannot ${syscall === 'access' ? 'write to' : syscall}${path ? ` ${path}` : ''}: ${FILE_ERRORS[code]} (${code})`;
}

/** User errors print one line and exit 2 (usage errors too); anything else is a bug and keeps its stack (exit 1). */
export function reportError(error: unknown): never {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof LabgymError) {
    process.stderr.write(`labgym: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(error instanceof InterruptedError ? 130 : 2);
  }
  const fileError = fileErrorLine(error);
  if (fileError) {
    process.stderr.write(`labgym: ${fileError}\n`);
    process.exit(2);
  }
  process.stderr.write(`labgym: unexpected error (a bug; please report it)\n${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
