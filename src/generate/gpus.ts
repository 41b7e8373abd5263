/**
 * GPU inventory and exclusive leases. The inventory comes from nvidia-smi (or a generation spec); a lease holds
 * whole devices by UUID until released, and requests queue in arrival order while devices are busy. The leased
 * UUIDs go to the sandbox as Docker DeviceRequests.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InvalidArgumentError } from '../errors.js';

export interface GpuDevice {
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  readonly memoryMiB: number;
}

export const NVIDIA_SMI_QUERY = ['--query-gpu=index,uuid,name,memory.total', '--format=csv'];

/** Parse `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv` (header line, then one row per GPU). */
export function parseNvidiaSmiCsv(text: string): GpuDevice[] {
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .filter((line) => line.trim());
  return rows.map((line) => {
    const [index, uuid, name, memory] = line.split(',').map((cell) => cell.trim());
    const memoryMiB = Number.parseInt(memory ?? '', 10);
    if (!uuid?.startsWith('GPU-') || !Number.isFinite(memoryMiB)) throw new Error(`unexpected nvidia-smi row: ${JSON.stringify(line)}`);
    return { index: Number(index), uuid, name: name ?? '', memoryMiB };
  });
}

/** The machine's GPUs; none when nvidia-smi is absent or fails (a CPU-only machine). */
export async function detectGpus(): Promise<GpuDevice[]> {
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', NVIDIA_SMI_QUERY, { timeout: 15_000 });
    return parseNvidiaSmiCsv(stdout);
  } catch {
    return [];
  }
}

export interface GpuLease {
  readonly uuids: readonly string[];
  readonly acquiredAt: number;
  /** GPU-seconds held so far (devices × seconds); after release, the total. */
  heldSeconds(): number;
  /** Give the devices back; idempotent. Returns the GPU-seconds held. */
  release(): number;
}

interface Waiter {
  readonly count: number;
  readonly resolve: (lease: GpuLease) => void;
}

export class GpuLeases {
  private readonly free: string[];
  private readonly waiting: Waiter[] = [];

  constructor(readonly devices: readonly GpuDevice[]) {
    this.free = devices.map((device) => device.uuid);
  }

  get available(): number {
    return this.free.length;
  }

  /** Wait for `count` devices (0 resolves at once with none). More than the machine has is an error, not a wait. */
  acquire(count: number): Promise<GpuLease> {
    if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError(`a GPU count must be a non-negative integer, got ${count}`);
    if (count > this.devices.length) {
      throw new InvalidArgumentError(`${count} GPUs requested, but this machine has ${this.devices.length}`);
    }
    if (count === 0) return Promise.resolve(this.lease([]));
    return new Promise((resolve) => {
      this.waiting.push({ count, resolve });
      this.grant();
    });
  }

  /** Serve waiters in arrival order; a large request at the head is not overtaken, so it cannot starve. */
  private grant(): void {
    while (this.waiting.length && this.waiting[0]!.count <= this.free.length) {
      const waiter = this.waiting.shift()!;
      const uuids = this.free.splice(0, waiter.count);
      waiter.resolve(this.lease(uuids));
    }
  }

  private lease(uuids: string[]): GpuLease {
    const acquiredAt = performance.now();
    let releasedAt: number | undefined;
    const heldSeconds = () => (uuids.length * ((releasedAt ?? performance.now()) - acquiredAt)) / 1000;
    return {
      uuids,
      acquiredAt,
      heldSeconds,
      release: () => {
        if (releasedAt !== undefined) return 0;
        releasedAt = performance.now();
        this.free.push(...uuids);
        this.grant();
        return heldSeconds();
      },
    };
  }
}
