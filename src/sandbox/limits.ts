/**
 * Resource limits of a sandbox and the parsing of human sizes ("512m", "8g").
 * Pure: no Docker here, so the config loaders and the CLI can validate limits before any container exists.
 */

import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';

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
