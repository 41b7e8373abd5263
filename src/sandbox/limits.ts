/**
 * Resource limits of a sandbox (disk quotas: the capped tmpfs places it may write) and human sizes ("512m", "8g").
 * Pure: no Docker here, so the config loaders and the CLI can validate limits before any container exists.
 */

import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';

const MB = 1024 ** 2;
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parse "512m", "2g", "1.5G", "1048576" (bytes) into a number of bytes; undefined when malformed. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*$/i.exec(value);
  if (!match) return undefined;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
  return bytes > 0 ? Math.floor(bytes) : undefined;
}

const size = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a size like "512m" or "8g", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bytes;
  });

export const SandboxLimitsSchema = z.object({
  /** CPU cores (fractions allowed). */
  cpus: z.number().positive().max(1024).default(1),
  /** Memory including swap (swap is off), in bytes after parsing. */
  memory: size('memory').default(2 * 1024 ** 3),
  /** Most processes and threads at once: a fork bomb stops here. */
  pids: z.number().int().min(16).max(1_000_000).default(512),
  /** Size of /dev/shm (PyTorch data loaders need more than Docker's 64 MB). */
  shm: size('shm').default(256 * 1024 ** 2),
  /**
   * Bytes of files the agent may write, over the workspace, its home, /tmp and /var/tmp (fixed shares, see
   * writableMounts). Each is a tmpfs whose pages count against the container's memory, so the container gets room
   * for them on top of `memory` (memoryLimit): a full disk is ENOSPC, not an out-of-memory kill, and never host disk.
   */
  disk: size('disk').default(2 * 1024 ** 3),
  /** Files and folders the agent may create, shared over the same places. */
  inodes: z.number().int().min(1000).max(100_000_000).default(200_000),
});

export type SandboxLimits = z.output<typeof SandboxLimitsSchema>;
export type SandboxLimitsInput = z.input<typeof SandboxLimitsSchema>;

/** Validate limits given in code or on the command line; throws one InvalidArgumentError naming every bad field. */
export function resolveLimits(input: SandboxLimitsInput | undefined): SandboxLimits {
  const parsed = SandboxLimitsSchema.safeParse(input ?? {});
  if (parsed.success) {
    if (parsed.data.memory < 6 * 1024 ** 2) throw new InvalidArgumentError("invalid sandbox limits: memory: expected at least 6m (Docker's minimum)");
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'limits'}: ${issue.message}`);
  throw new InvalidArgumentError(`invalid sandbox limits: ${problems.join('; ')}`);
}

/** A writable place of a sandbox (a tmpfs); the root file system itself is read-only. */
export interface WritableMount {
  readonly path: string;
  readonly bytes: number;
  readonly inodes: number;
  readonly owner: 'agent' | 'root';
  readonly mode: string;
}

/** Shell state the agent's commands write under /run/labgym (its tmpfs cap). */
const RUN_LABGYM_BYTES = 64 * MB;

/**
 * The container's memory limit: `memory` for processes plus every tmpfs the agent may fill (its `disk`, /dev/shm and
 * its shell state), so filling them all still leaves its processes their `memory`.
 */
export function memoryLimit(limits: SandboxLimits): number {
  return limits.memory + limits.disk + limits.shm + RUN_LABGYM_BYTES;
}

/** How `disk` and `inodes` are shared over the agent's writable places; the shares sum to 1. */
const AGENT_SHARES = { workspace: 10 / 16, home: 2 / 16, tmp: 3 / 16, varTmp: 1 / 16 };

/**
 * Every place anyone may write, each a size- and inode-capped tmpfs: writing past a cap is ENOSPC. The agent's places
 * share `disk` and `inodes`, /dev/shm has `shm`; the rest are root's (the evaluator, the dataset builder, the ACI).
 */
export function writableMounts(limits: SandboxLimits): WritableMount[] {
  const share = (fraction: number) => ({
    bytes: Math.max(MB, Math.floor(limits.disk * fraction)),
    inodes: Math.max(256, Math.floor(limits.inodes * fraction)),
  });
  return [
    { path: '/home/agent/workspace', ...share(AGENT_SHARES.workspace), owner: 'agent', mode: '0755' },
    { path: '/home/agent', ...share(AGENT_SHARES.home), owner: 'agent', mode: '0755' },
    { path: '/tmp', ...share(AGENT_SHARES.tmp), owner: 'root', mode: '1777' },
    { path: '/var/tmp', ...share(AGENT_SHARES.varTmp), owner: 'root', mode: '1777' },
    { path: '/dev/shm', bytes: limits.shm, inodes: share(1 / 8).inodes, owner: 'root', mode: '1777' },
    { path: '/root', bytes: Math.max(64 * MB, Math.floor(limits.disk / 4)), inodes: 10_000, owner: 'root', mode: '0700' },
    { path: '/run/labgym', bytes: RUN_LABGYM_BYTES, inodes: 4096, owner: 'root', mode: '0755' },
    { path: '/opt/labgym/aci', bytes: 16 * MB, inodes: 256, owner: 'root', mode: '0755' },
    { path: '/build', bytes: limits.disk, inodes: limits.inodes, owner: 'root', mode: '0755' },
  ];
}
