/**
 * Before the first episode: everything a spec needs is checked (tasks exist, their user data is present,
 * GPU and CPU requests fit, every model has an endpoint or a built-in policy for each task), then task
 * images are built and datasets prepared (cached). A spec that cannot run fails here, one line per problem.
 */

import { availableParallelism } from 'node:os';
import type { GenerationSpec } from '../config/generation-spec.js';
import type { TaskConfig } from '../config/index.js';
import { LabgymError } from '../errors.js';
import { isBuiltinPolicy, PolicyResolver } from '../models/index.js';
import { resolveLimits, type SandboxLimitsInput } from '../sandbox/index.js';
import { writableMounts } from '../sandbox/limits.js';
import { type CatalogDirs, DEFAULT_DIRS, loadDataset, missingUserData, type ResolvedTask, resolveTask, selectVariant } from '../tasks/index.js';
import { detectGpus, type GpuDevice } from './gpus.js';

/** A spec that cannot run: every problem, one per line. */
export class GenerationSpecError extends LabgymError {
  override readonly code = 'E_SPEC';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: the spec cannot run (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
}

export interface PreflightParams {
  readonly spec: GenerationSpec;
  /** Names the spec in messages (its file). */
  readonly source: string;
  readonly catalogDirs?: CatalogDirs;
  /** Where built-in policies are read from. @default the catalog's tasks folder */
  readonly policyTasksDir?: string;
  readonly log?: (line: string) => void;
}

export interface Preflight {
  readonly tasks: ReadonlyMap<string, ResolvedTask>;
  readonly gpus: readonly GpuDevice[];
  readonly cpuSlots: number;
}

export function cpuSlotsOf(spec: GenerationSpec): number {
  return spec.resources.cpuSlots ?? availableParallelism() * 4;
}

/** CPU slots an episode of this task holds. */
export function slotsFor(task: ResolvedTask): number {
  return Math.max(1, Math.ceil(task.config.resources.cpus));
}

const human = (bytes: number) => (bytes % 1024 ** 3 ? `${Math.round(bytes / 1024 ** 2)}m` : `${bytes / 1024 ** 3}g`);

/** The disk quota mechanism and the sizes of the places an agent may write, as one log line. */
export function diskQuotaSummary(limits: SandboxLimitsInput | undefined): string {
  const places = writableMounts(resolveLimits(limits)).filter((place) => place.owner === 'agent' || place.mode === '1777');
  const sizes = places.map((place) => `${place.path} ${human(place.bytes)}/${Math.round(place.inodes / 1000)}k inodes`);
  return `disk quota: read-only root, tmpfs ${sizes.join(', ')} (in memory: the container may use memory + disk + shm + 64m of shell state)`;
}

export async function preflight(params: PreflightParams): Promise<Preflight> {
  const { spec, source } = params;
  const dirs = params.catalogDirs ?? DEFAULT_DIRS;
  const problems: string[] = [];
  const gpus = spec.resources.gpus === 'none' ? [] : spec.resources.gpus === 'auto' ? await detectGpus() : spec.resources.gpus;
  const cpuSlots = cpuSlotsOf(spec);

  const runnable: string[] = [];
  spec.tasks.forEach((ref, i) => {
    let config: TaskConfig;
    try {
      config = selectVariant(ref, dirs).config;
    } catch (error) {
      problems.push(`tasks[${i}]: ${(error as Error).message}`);
      return;
    }
    const missing = config.dataset_configs.flatMap((id) => missingUserData(loadDataset(id, dirs)).map((path) => `${id} (${path})`));
    if (missing.length) problems.push(`tasks[${i}]: ${ref} needs user-supplied data that is missing: ${missing.join(', ')}`);
    if (config.resources.gpus > gpus.length) {
      problems.push(
        `tasks[${i}]: ${ref} needs ${config.resources.gpus} GPU${config.resources.gpus === 1 ? '' : 's'}, but ${gpus.length ? `the inventory has ${gpus.length}` : 'this machine has none (resources.gpus)'}`,
      );
    }
    if (Math.ceil(config.resources.cpus) > cpuSlots)
      problems.push(`tasks[${i}]: ${ref} needs ${config.resources.cpus} CPUs, more than resources.cpuSlots (${cpuSlots})`);
    if (!missing.length) runnable.push(ref);
  });

  const policies = new PolicyResolver(params.policyTasksDir ?? dirs.tasks);
  for (const [i, model] of spec.models.entries()) {
    if (spec.models.findIndex((other) => other.name === model.name) !== i)
      problems.push(`models[${i}].name: ${model.name} is listed twice (episode ids are per model name)`);
    if (model.baseUrl) continue;
    if (!isBuiltinPolicy(model.name)) {
      problems.push(`models[${i}].baseUrl: model ${model.name} needs an endpoint (only the built-in policies scripted and replay:<record> run without one)`);
      continue;
    }
    const names = model.name === 'scripted' ? runnable.map((ref) => `scripted:${ref.split(':')[0]}`) : [model.name];
    for (const name of names) {
      try {
        await policies.resolve(name);
      } catch (error) {
        problems.push(`models[${i}]: ${name}: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length) throw new GenerationSpecError(source, problems);

  const tasks = new Map<string, ResolvedTask>();
  for (const [i, ref] of spec.tasks.entries()) {
    params.log?.(`preparing ${ref} (datasets, image) ...`);
    try {
      const resolved = await resolveTask(ref, { scale: spec.scale, dirs });
      tasks.set(ref, resolved);
      params.log?.(`${ref}: ${diskQuotaSummary(resolved.envTask.limits)}`);
    } catch (error) {
      problems.push(`tasks[${i}]: ${ref}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (problems.length) throw new GenerationSpecError(source, problems);
  return { tasks, gpus, cpuSlots };
}
