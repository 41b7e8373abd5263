/**
 * The generation spec (YAML): which episodes to run (tasks × models × seeds × attempts), how the agent runs
 * them, limits and budgets, concurrency, resources, retries, the warm pool and the run directory. Pure: no
 * Docker here; `labgym generate` loads it with loadGenerationSpec (errors name the file and the field).
 */

import { z } from 'zod';
import { loadYamlFile, validateConfig } from './yaml.js';

export const GENERATION_SPEC_VERSION = 1;

const positiveInteger = z.number().int().positive();

/** Seeds are 31-bit: every sampler and numpy take them, and records store them exactly. */
export const MAX_SEED = 2 ** 31 - 1;
/** Episodes one run may name: more is a typo (the jobs alone would fill the heap); split the work into runs. */
export const MAX_EPISODES_PER_RUN = 100_000;
const seed = z.number().min(0).max(MAX_SEED).int();

const ModelSpecSchema = z.strictObject({
  /** Model name at the endpoint, or a built-in policy: scripted, replay:<record>. */
  name: z.string().min(1),
  /** OpenAI-compatible endpoint; without it a built-in policy is served in-process. */
  baseUrl: z.url().optional(),
  /** Environment variable holding the API key. @default OPENAI_API_KEY */
  apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
  sampling: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().gt(0).max(1).optional(),
      maxTokens: positiveInteger.optional(),
    })
    .prefault({}),
  /** Per HTTP attempt. @unit s */
  timeoutSeconds: z.number().positive().default(120),
  maxRetries: z.number().int().min(0).default(4),
  pricing: z.strictObject({ inputPerMillionTokens: z.number().nonnegative(), outputPerMillionTokens: z.number().nonnegative() }).optional(),
  contextWindowTokens: positiveInteger.optional(),
});

const SeedsSchema = z.union([z.array(seed).min(1), z.strictObject({ from: seed.default(0), count: positiveInteger })], {
  error: 'a list of seeds or { from, count }',
});

const GpuDeviceSchema = z.strictObject({
  index: z.number().int().min(0),
  uuid: z.string().regex(/^GPU-/, 'a device UUID starting with "GPU-"'),
  name: z.string().default('GPU'),
  memoryMiB: z.number().int().positive().default(1),
});

export const GenerationSpecSchema = z.strictObject({
  schemaVersion: z.literal(GENERATION_SPEC_VERSION),
  /** Run ids start with it. @default 'run' */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" and "-"')
    .default('run'),
  /** Task references: "titanic", "cifar10:sample". */
  tasks: z.array(z.string().min(1)).min(1),
  models: z.array(ModelSpecSchema).min(1),
  seeds: SeedsSchema,
  /** Independent episodes per (task, model, seed). @default 1 */
  attempts: positiveInteger.default(1),
  /** Task scale: full, or reduced (the CI scale). */
  scale: z.enum(['full', 'reduced']).default('full'),
  agent: z
    .strictObject({
      responseFormat: z.enum(['mlgym', 'xml', 'tools']).default('mlgym'),
      /** last<N>, closed_window or identity. */
      history: z
        .string()
        .regex(/^(last[1-9]\d*|closed_window|identity)$/, 'last<N> (e.g. last5), closed_window or identity')
        .default('last5'),
      maxSteps: positiveInteger.default(50),
      maxRequeries: z.number().int().min(0).default(3),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Most one episode may spend. @unit USD */
      episodeCostUsd: z.number().positive().optional(),
      /** Most the whole run may spend, shared by every episode. @unit USD */
      runCostUsd: z.number().positive().optional(),
      /** Wall-clock budget of one episode. @unit s */
      episodeSeconds: z.number().positive().optional(),
    })
    .prefault({}),
  concurrency: z
    .strictObject({
      /** Episodes at once. */
      episodes: positiveInteger.default(4),
      /** Model requests in flight per endpoint (base URL), so a shared server stays saturated but not flooded. */
      requestsPerEndpoint: positiveInteger.default(16),
    })
    .prefault({}),
  resources: z
    .strictObject({
      /** CPU slots episodes lease from; an episode holds ceil(task cpus) of them. @default 4 per host core */
      cpuSlots: positiveInteger.optional(),
      /** GPUs: "auto" (nvidia-smi), "none", or the inventory itself. */
      gpus: z.union([z.enum(['auto', 'none']), z.array(GpuDeviceSchema)]).default('auto'),
    })
    .prefault({}),
  retry: z
    .strictObject({
      /** Tries after a sandbox failure (container killed, daemon restarted) before the episode counts as failed. */
      sandboxErrors: z.number().int().min(0).default(2),
    })
    .prefault({}),
  warmPool: z
    .strictObject({
      /** Clean containers kept ready per image (0: every reset starts a container). */
      perImage: z.number().int().min(0).default(2),
      /** Unused evaluation sandboxes started ahead per task, each handed to one evaluation (0: each starts its own). */
      evaluators: z.number().int().min(0).default(2),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      /** Where sandboxes run: a registered backend's name (`docker`). */
      backend: z.string().min(1).default('docker'),
    })
    .prefault({}),
  /** Settings of the in-process built-in policy server (benchmarks, fault drills). */
  policyServer: z
    .strictObject({
      /** Delay every answer this long. @unit ms */
      latencyMs: z.number().int().min(0).default(0),
    })
    .prefault({}),
  output: z
    .strictObject({
      /** Where run directories are created. */
      dir: z.string().min(1).default('runs'),
    })
    .prefault({}),
});

/** The spec, refused when it names more episodes than a run may hold (checked before any job is made). */
const CheckedGenerationSpecSchema = GenerationSpecSchema.superRefine((spec, context) => {
  const seeds = Array.isArray(spec.seeds) ? spec.seeds.length : spec.seeds.count;
  const episodes = spec.tasks.length * spec.models.length * seeds * spec.attempts;
  if (episodes > MAX_EPISODES_PER_RUN)
    context.addIssue({
      code: 'custom',
      path: ['seeds'],
      message: `at most ${MAX_EPISODES_PER_RUN} episodes per run (tasks × models × seeds × attempts = ${episodes}); split the work into several runs`,
    });
});

export type GenerationSpec = z.output<typeof GenerationSpecSchema>;
export type GenerationSpecInput = z.input<typeof GenerationSpecSchema>;
export type ModelSpec = GenerationSpec['models'][number];

/** Load and validate a spec file; a bad one is one ConfigError naming the file and the field. */
export function loadGenerationSpec(file: string): GenerationSpec {
  return loadYamlFile(file, CheckedGenerationSpecSchema);
}

/** Validate a spec given as data (tests, benchmarks); `source` names it in errors. */
export function parseGenerationSpec(source: string, data: unknown): GenerationSpec {
  return validateConfig(source, CheckedGenerationSpecSchema, data);
}

/** The seeds a spec names, in order. */
export function seedList(spec: GenerationSpec): number[] {
  const seeds = spec.seeds;
  return Array.isArray(seeds) ? [...seeds] : Array.from({ length: seeds.count }, (_, i) => seeds.from + i);
}
