/**
 * CPU slots: a counting lease, served in arrival order (a large request at the head is not overtaken, so it
 * cannot starve). An episode holds ceil(task cpus) slots while it runs; release is idempotent.
 */

import { InvalidArgumentError } from '../errors.js';

export interface SlotLease {
  readonly count: number;
  release(): void;
}

export class CpuSlots {
  private free: number;
  private readonly waiting: Array<{ readonly count: number; readonly resolve: (lease: SlotLease) => void }> = [];

  constructor(readonly total: number) {
    if (!Number.isInteger(total) || total < 1) throw new InvalidArgumentError(`CPU slots: expected a positive integer, got ${total}`);
    this.free = total;
  }

  get available(): number {
    return this.free;
  }

  acquire(count: number): Promise<SlotLease> {
    if (count > this.total) throw new InvalidArgumentError(`${count} CPU slots requested, but the run has ${this.total}`);
    return new Promise((resolve) => {
      this.waiting.push({ count, resolve });
      this.grant();
    });
  }

  private grant(): void {
    while (this.waiting.length && this.waiting[0]!.count <= this.free) {
      const { count, resolve } = this.waiting.shift()!;
      this.free -= count;
      let released = false;
      resolve({
        count,
        release: () => {
          if (released) return;
          released = true;
          this.free += count;
          this.grant();
        },
      });
    }
  }
}
