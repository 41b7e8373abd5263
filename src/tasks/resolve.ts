/**
 * From a task reference ("titanic", "cifar10:sample") to everything an episode needs: the merged config of the
 * chosen variant, prepared datasets, the built task image, the evaluator and the EnvTask.
 */

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { primaryMetric, type TaskConfig } from '../config/index.js';
import type { EnvTask, WorkspaceItem } from '../env/task.js';
import { ConfigError } from '../errors.js';
import { type Evaluator, SandboxEvaluator } from '../eval/index.js';
import { hashTree } from '../hash.js';
import type { Sandbox, SandboxCreateParams } from '../sandbox/index.js';
import { type CatalogDirs, DEFAULT_DIRS, type LoadedDataset, loadDataset, loadTask } from './catalog.js';
import { type DatasetPaths, missingUserData, type PreparedDataset, prepareDataset } from './datasets.js';
import { buildImageForTask, DATA_ROOT } from './image.js';

export type TaskScale = 'full' | 'reduced';

export interface ResolveOptions extends DatasetPaths {
  /** Reduced: the CI scale (fewer epochs, simulations, instances; same code path). @default 'full' */
  readonly scale?: TaskScale;
  /** validate scores the test split, as MLGym did. @default false */
  readonly mlgymCompatible?: boolean;
  readonly dirs?: CatalogDirs;
  readonly log?: (line: string) => void;
}

/** An evaluator that scores in sandboxes of its own, which a caller may hand it ready-made (the generator's evaluation pool). */
export interface PooledEvaluator extends Evaluator {
  /** What each of its evaluation sandboxes is created with. */
  sandboxParams(): SandboxCreateParams;
  /** The same evaluator, taking its sandboxes from `create`. */
  withCreateSandbox(create: (params: SandboxCreateParams) => Promise<Sandbox>): PooledEvaluator;
}

export interface ResolvedTask {
  /** "<id>" or "<id>:<variant>". */
  readonly ref: string;
  readonly id: string;
  readonly variant?: string;
  readonly config: TaskConfig;
  readonly dir: string;
  readonly scale: TaskScale;
  readonly image: string;
  /** Hash of the task folder, the variant and the prepared datasets: records of different task versions never mix. */
  readonly contentHash: string;
  readonly datasets: readonly PreparedDataset[];
  /** The primary metric's baseline at this scale, if measured. */
  readonly baseline?: number;
  readonly evaluator: PooledEvaluator;
  readonly envTask: EnvTask;
}

/** The task's config with a variant applied, and which variant that is (`<id>:default`: none, even when a preferred variant's data is present). */
export function selectVariant(ref: string, dirs: CatalogDirs = DEFAULT_DIRS, userDataDir?: string): { config: TaskConfig; dir: string; variant?: string } {
  const [id, requested] = ref.split(':', 2) as [string, string | undefined];
  const task = loadTask(id, dirs);
  const variants = task.config.variants;
  if (requested === 'default') return { config: task.config, dir: task.dir };
  let variant = requested;
  if (variant !== undefined && !(variant in variants)) {
    throw new ConfigError(task.file, 'variants', `a variant named "${variant}" (this task has: ${Object.keys(variants).join(', ') || 'none'})`);
  }
  variant ??= Object.entries(variants).find(
    ([, settings]) =>
      settings.prefer_when_available &&
      (settings.dataset_configs ?? []).every((datasetId) => missingUserData(loadDataset(datasetId, dirs), userDataDir).length === 0),
  )?.[0];
  if (variant === undefined) return { config: task.config, dir: task.dir };
  const { prefer_when_available: _, ...overrides } = variants[variant]!;
  return { config: { ...task.config, ...overrides }, dir: task.dir, variant };
}

function datasetDocs(datasets: readonly LoadedDataset[]): string {
  return datasets.map(({ config }) => `${config.name.toUpperCase()}:\n${config.description.trim()}`).join('\n\n');
}

export function baselineScores(config: TaskConfig, scale: TaskScale): Record<string, number> | undefined {
  // A task without reduced settings runs the same at both scales.
  return scale === 'reduced' && config.reduced ? config.reduced.baseline_scores[0] : config.baseline_scores[0];
}

export async function resolveTask(ref: string, options: ResolveOptions = {}): Promise<ResolvedTask> {
  const dirs = options.dirs ?? DEFAULT_DIRS;
  const scale = options.scale ?? 'full';
  const selected = selectVariant(ref, dirs, options.userDataDir);
  const loadedDatasets = selected.config.dataset_configs.map((id) => loadDataset(id, dirs));
  const datasets: PreparedDataset[] = [];
  for (const dataset of loadedDatasets) datasets.push(await prepareDataset(dataset, options));
  const image = (await buildImageForTask({ taskId: selected.config.id, datasets, baseImage: selected.config.image })).tag;
  const hash = createHash('sha256').update(`${selected.variant ?? ''}\0${scale}\0`);
  await hashTree(hash, selected.dir, 'task');
  for (const dataset of datasets) hash.update(`${dataset.id}:${dataset.hash}\0`);
  return assemble(selected, { image, scale, contentHash: hash.digest('hex').slice(0, 16), loadedDatasets, datasets, mlgymCompatible: options.mlgymCompatible });
}

/**
 * A dataset-free catalog task on an image of the caller's choice, without building anything (the demo task on
 * the bare base image). Its evaluator must not need labgym_eval, which only task images carry.
 */
export function taskOnImage(ref: string, image: string, options: { scale?: TaskScale; dirs?: CatalogDirs } = {}): ResolvedTask {
  const selected = selectVariant(ref, options.dirs ?? DEFAULT_DIRS);
  if (selected.config.dataset_configs.length) throw new Error(`task ${ref} has datasets: use resolveTask, which builds its image`);
  return assemble(selected, { image, scale: options.scale ?? 'full', contentHash: 'unbuilt', loadedDatasets: [], datasets: [] });
}

interface Assembly {
  readonly image: string;
  readonly scale: TaskScale;
  readonly contentHash: string;
  readonly loadedDatasets: readonly LoadedDataset[];
  readonly datasets: readonly PreparedDataset[];
  readonly mlgymCompatible?: boolean;
}

function assemble({ config, dir, variant }: { config: TaskConfig; dir: string; variant?: string }, built: Assembly): ResolvedTask {
  const { image, scale, loadedDatasets, datasets } = built;
  const metric = primaryMetric(config);
  const baseline = baselineScores(config, scale)?.[metric.name];
  const env = { LABGYM_SCALE: scale };
  const limits = { cpus: config.resources.cpus, memory: config.resources.memory };
  const hidden: Record<string, string[]> = {};
  for (const [split, paths] of Object.entries(config.hidden)) hidden[split] = paths.map((path) => join(dir, path));
  for (const dataset of datasets) {
    for (const [split, path] of Object.entries(dataset.hiddenDirs)) (hidden[split] ??= []).push(path);
  }
  const evaluator = new SandboxEvaluator({
    image,
    artifacts: config.submission.artifacts,
    maxArtifactBytes: config.submission.max_bytes,
    files: config.evaluation.files.map((path) => join(dir, path)),
    hidden,
    command: config.evaluation.command,
    metricsFrom: config.evaluation.metrics_from,
    primaryMetric: metric.name,
    direction: metric.direction,
    baseline,
    splits: built.mlgymCompatible ? { validate: 'test', final: 'test' } : undefined,
    env,
    timeoutMs: (config.evaluation.timeout ?? config.training_timeout) * 1000,
    limits,
  });

  const readOnly = new Set(config.evaluation_read_only ? config.evaluation_paths.map((path) => basename(path)) : []);
  const workspace: WorkspaceItem[] = config.starter_code.map((path) => {
    const name = basename(path);
    const isDir = statSync(join(dir, path)).isDirectory();
    return { hostPath: join(dir, path), destination: isDir ? name : undefined, readOnly: readOnly.has(name) };
  });
  const links = Object.fromEntries(loadedDatasets.map(({ config: dataset }) => [dataset.workspace_path, `${DATA_ROOT}/${dataset.id}`]));
  const envTask: EnvTask = {
    id: config.id,
    image,
    description: config.description.replaceAll('{dataset_docs}', datasetDocs(loadedDatasets)),
    workspace,
    evaluator,
    trainingTimeoutMs: config.training_timeout * 1000,
    limits,
    env,
    links,
  };
  const ref = variant ? `${config.id}:${variant}` : config.id;
  return { ref, id: config.id, variant, config, dir, scale, image, contentHash: built.contentHash, datasets, baseline, evaluator, envTask };
}
