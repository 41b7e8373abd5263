/**
 * datasets/<id>.yaml: where the data comes from (Debian package, npm package, a user-supplied local file, or a
 * seeded generator), how it is prepared (a script run in a builder container with the network off) and what
 * the preparation yields: public files for the agent's data folder and hidden files per split for the evaluator.
 */

import { z } from 'zod';
import { identifier, insidePath } from './paths.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest (64 lowercase hex digits)');

const debianSource = z
  .object({
    debian: z.string().min(1),
    /** Pin a version; otherwise apt's candidate version. */
    version: z.string().optional(),
    /** Folder or file inside the package, e.g. usr/share/datasets/fashion-mnist. */
    path: insidePath,
    sha256: sha256.optional(),
    name: identifier.optional(),
  })
  .strict();

const npmSource = z
  .object({
    npm: z.string().min(1),
    version: z.string().min(1),
    /** Folder or file inside the unpacked tarball, e.g. package/data. */
    path: insidePath,
    name: identifier.optional(),
  })
  .strict();

const localSource = z
  .object({
    /** File or folder name expected in the user-data folder ($LABGYM_USER_DATA, default datasets/user-data). */
    local: insidePath,
    /** Checked before use. Leave out only where no published digest exists (the digest found is recorded). */
    sha256: sha256.optional(),
    /** Where the user gets it. */
    url: z.string().optional(),
    name: identifier.optional(),
  })
  .strict();

export const datasetSourceSchema = z.union([debianSource, npmSource, localSource]);

export const datasetConfigSchema = z
  .object({
    id: identifier,
    name: z.string().min(1),
    /** Shown to the agent through the task's {dataset_docs}. */
    description: z.string().min(1),
    license: z.string().min(1),
    /** True for stand-ins of data that cannot be shipped; the description says so. */
    stand_in_for: z.string().optional(),
    sources: z.array(datasetSourceSchema).default([]),
    prepare: z
      .object({
        /** Python script beside the YAML (datasets-folder relative); reads /build/sources, writes /build/out. */
        script: insidePath,
        seed: z.number().int().default(0),
        timeout: z.number().int().positive().default(900),
      })
      .strict(),
    /** Where the public files appear in the agent's workspace. */
    workspace_path: insidePath.default('data'),
    /** Files the preparation must produce under out/public (shown to the agent). */
    public: z.array(insidePath).min(1),
    /** Files the preparation must produce under out/hidden/<split> (only the evaluator sees them). */
    hidden: z.record(identifier, z.array(insidePath)).default({}),
    /** Rows (or instances) per split; the preparation writes out/splits.json and it must agree. */
    splits: z.record(identifier, z.number().int().min(0)),
  })
  .strict();

export type DatasetConfig = z.output<typeof datasetConfigSchema>;
export type DatasetSource = z.output<typeof datasetSourceSchema>;

export function sourceName(source: DatasetSource): string {
  if (source.name) return source.name;
  const raw = 'debian' in source ? source.debian : 'npm' in source ? source.npm : source.local;
  return raw.replace(/^@/, '').replace(/[^A-Za-z0-9_.-]+/g, '-');
}
