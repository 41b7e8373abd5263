/**
 * The one-writer lock of a run folder: `<run>/.lock` (owner pid, host, start time), created with O_EXCL.
 * A lock whose owner on this host is dead is taken over; it is released on close or when the process exits.
 */

import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { RunLockedError } from '../errors.js';

export interface RunLockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

function readOwner(file: string): RunLockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as RunLockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the owner may still be writing: another host's owner cannot be checked, so it counts as alive. */
function alive(owner: RunLockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(dir: string, owner: RunLockOwner): RunLockedError {
  return new RunLockedError(`run ${basename(dir)} is being written by pid ${owner.pid} on host ${owner.host} since ${owner.startedAt}; wait for it or stop it`);
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly file: string) {
    process.once('exit', this.onExit);
  }

  /** Take the lock of run folder `dir`, or throw RunLockedError naming its live owner. */
  static acquire(dir: string): RunLock {
    const file = join(dir, '.lock');
    const mine: RunLockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    for (let tries = 0; tries < 5; tries++) {
      try {
        writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
        return new RunLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(file);
      if (owner && alive(owner)) throw lockedError(dir, owner);
      if (!owner && tries < 2) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // its owner may be writing it right now
        continue;
      }
      // Stale: move it aside, and put it back if someone else took it over in the meantime.
      const aside = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readOwner(aside);
      if (moved && alive(moved)) {
        try {
          linkSync(aside, file);
        } catch {}
        unlinkSync(aside);
        throw lockedError(dir, moved);
      }
      unlinkSync(aside);
    }
    throw new RunLockedError(`run ${basename(dir)}: could not take ${file} (another process keeps taking it)`);
  }

  /** Remove the lock file (once; later calls do nothing). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const owner = readOwner(this.file);
    if (owner?.pid === process.pid && owner.host === hostname()) {
      try {
        unlinkSync(this.file);
      } catch {}
    }
  }
}
