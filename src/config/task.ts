/**
 * tasks/<id>/task.yaml: MLGym's TaskConfig field names where they exist, plus what MLGym lacks: metric directions,
 * the submission artifacts, the evaluation command and its pristine files, hidden files, resources, image, a reduced
 * CI scale and variants.
 */

import { z } from 'zod';
import { parseSize } from '../sandbox/limits.js';
import { identifier, insidePath } from './paths.js';

/** Cores one task may ask for: more is a typo, and no host could lease them. */
export const MAX_TASK_CPUS = 1024;
/** Bytes of submission artifacts copied out of a sandbox. @default 1 GiB */
export const DEFAULT_SUBMISSION_MAX_BYTES = 1024 ** 3;

const byteSize = z.union([z.string(), z.number()]).transform((value, context) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    context.addIssue({ code: 'custom', message: 'a size such as "1g", "512m" or a number of bytes' });
    return z.NEVER;
  }
  return bytes;
});

export const metricSchema = z
  .object({
    name: z.string().min(1),
    direction: z.enum(['maximize', 'minimize']),
    primary: z.boolean().default(false),
    description: z.string().optional(),
  })
  .strict();

const scores = z.record(z.string(), z.number());
const seconds = z.number().int().positive();

const datasetRef = z
  .string()
  .min(1)
  .transform((ref) => ref.replace(/^datasets\//, '').replace(/\.ya?ml$/, ''))
  .pipe(identifier);

/** Files per split that only the evaluator sees, relative to the task folder (files or folders). */
const hiddenFiles = z.record(identifier, z.array(insidePath));

const scaleSettings = z
  .object({
    /** Baseline scores measured at this scale (the baseline script and evaluator read LABGYM_SCALE). */
    baseline_scores: z.array(scores).default([]),
  })
  .strict();

const resourcesSchema = z
  .object({
    gpus: z.number().int().min(0).default(0),
    cpus: z.number().positive().max(MAX_TASK_CPUS, `at most ${MAX_TASK_CPUS} cores`).default(2),
    memory: z
      .string()
      .regex(/^\d+(\.\d+)?[kmgt]?b?$/i, 'a size such as "4g" or "512m"')
      .default('4g'),
  })
  .strict();

const variantSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    dataset_configs: z.array(datasetRef).optional(),
    baseline_scores: z.array(scores).optional(),
    reduced: scaleSettings.optional(),
    resources: resourcesSchema.optional(),
    baseline_tolerance: scores.optional(),
    /** Run this variant instead of the default one whenever all its user-supplied data is present. */
    prefer_when_available: z.boolean().default(false),
  })
  .strict();

export const taskConfigSchema = z
  .object({
    id: identifier,
    name: z.string().min(1),
    description: z.string().min(1),
    dataset_configs: z.array(datasetRef).default([]),
    /** MLGym's task class; informative here (evaluation is declared below). */
    task_entrypoint: z.string().optional(),
    starter_code: z.array(insidePath).default([]),
    baseline_paths: z.array(z.string().min(1)).default([]),
    baseline_scores: z.array(scores).default([]),
    evaluation_paths: z.array(z.string().min(1)).default([]),
    evaluation_read_only: z.boolean().default(true),
    /** Seconds a training-like command may run. */
    training_timeout: seconds.default(1800),
    memory_path: insidePath.optional(),
    sample_submission: insidePath.optional(),
    metrics: z
      .array(metricSchema)
      .min(1)
      .refine((metrics) => metrics.length === 1 || metrics.filter((metric) => metric.primary).length === 1, {
        message: 'exactly one metric with primary: true',
      }),
    submission: z
      .object({
        /** Files or globs (relative to the workspace) copied out of the agent's sandbox for evaluation. */
        artifacts: z
          .array(
            z
              .string()
              .min(1)
              .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), {
                message: 'a path or glob inside the workspace (no leading "/", no "..")',
              }),
          )
          .default([]),
        /** Most bytes the artifacts may take together ("1g", "512m" or bytes). @default 1 GiB */
        max_bytes: byteSize.default(DEFAULT_SUBMISSION_MAX_BYTES),
      })
      .strict(),
    evaluation: z
      .object({
        /** Run as root in the evaluation workspace; the evaluator runs the agent's code only as `agent`. */
        command: z.string().min(1),
        /** The pristine evaluator files (task-folder relative), copied root-owned into the evaluation workspace. */
        files: z.array(insidePath).min(1),
        timeout: seconds.optional(),
        /** 'file': labgym_eval.write_metrics (unforgeable); 'stdout': the last JSON line (MLGym evaluators). */
        metrics_from: z.enum(['file', 'stdout']).default('file'),
      })
      .strict(),
    hidden: hiddenFiles.default({}),
    resources: resourcesSchema.default({ gpus: 0, cpus: 2, memory: '4g' }),
    /** Image the task image is built FROM. @default the labgym base image */
    image: z.string().optional(),
    reduced: scaleSettings.optional(),
    /** Absolute tolerance per metric when a baseline run is checked against baseline_scores. */
    baseline_tolerance: scores.default({}),
    variants: z.record(identifier, variantSchema).default({}),
  })
  .strict();

export type TaskConfig = z.output<typeof taskConfigSchema>;
export type TaskMetric = z.output<typeof metricSchema>;
export type TaskVariant = z.output<typeof variantSchema>;

export function primaryMetric(config: Pick<TaskConfig, 'metrics'>): TaskMetric {
  return config.metrics.find((metric) => metric.primary) ?? config.metrics[0]!;
}
