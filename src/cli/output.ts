/** Printing helpers shared by the commands: JSON results, and the one-line error channel for user errors. */

import { CommanderError } from 'commander';
import { InterruptedError, LabgymError } from '../errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** User errors print one line and exit 2; anything else is a bug and keeps its stack (exit 1). */
export function reportError(error: unknown): never {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof LabgymError) {
    process.stderr.write(`labgym: ${error.message}\n`);
    process.exit(error instanceof InterruptedError ? 130 : 2);
  }
  process.stderr.write(`labgym: unexpected error (a bug; please report it)\n${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
