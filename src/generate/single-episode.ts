/**
 * One episode of one catalog task with one model, its record appended to `<outDir>/episodes.jsonl` (what
 * `labgym run` does). A built-in policy (scripted, replay:...) without a base URL is served in-process.
 */

import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type AgentOptions, runEpisode } from '../agent/index.js';
import { LabgymEnv } from '../env/index.js';
import { InterruptedError, InvalidArgumentError } from '../errors.js';
import { isBuiltinPolicy, ModelClient, type ModelClientOptions, PolicyResolver, type PolicyServer, startPolicyServer } from '../models/index.js';
import { type SandboxCreateParams, sandboxBackend } from '../sandbox/index.js';
import { appendEpisode, type EpisodeRecord, makeDirectory, type StepRecord } from '../store/index.js';
import { type CatalogDirs, resolveTask, type TaskScale } from '../tasks/index.js';

export interface SingleEpisodeParams {
  /** Catalog reference: "titanic", "cifar10:sample". */
  readonly task: string;
  /** The model's client options; without `baseUrl` the model must be a built-in policy. */
  readonly model: Omit<ModelClientOptions, 'baseUrl'> & { readonly baseUrl?: string };
  /** Folder the record is appended to (episodes.jsonl). */
  readonly outDir: string;
  /** @default 0 */
  readonly seed?: number;
  /** @default 'full' */
  readonly scale?: TaskScale;
  /** MLGym's behaviour: validate scores the test split; MLGym's observation post-processing. @default false */
  readonly mlgymCompatible?: boolean;
  /** @default 50 */
  readonly maxSteps?: number;
  readonly agent?: AgentOptions;
  /** Most the episode may spend. @unit USD */
  readonly episodeCostUsd?: number;
  /** @default 'docker' */
  readonly backend?: string;
  readonly catalogDirs?: CatalogDirs;
  /** Progress lines (image builds, the episode starting). */
  readonly log?: (line: string) => void;
  readonly onStep?: (step: StepRecord) => void;
  /** Ends the episode early (its sandbox is closed); the call then throws InterruptedError and records nothing. */
  readonly signal?: AbortSignal;
}

export interface SingleEpisodeResult {
  readonly record: EpisodeRecord;
  /** The episodes.jsonl the record was appended to. */
  readonly file: string;
}

async function policyServerFor(model: string, taskId: string, tasksDir: string | undefined): Promise<PolicyServer> {
  // Load the policy first, so a bad policy.yaml or record is one clear error before anything starts.
  await new PolicyResolver(tasksDir).resolve(model === 'scripted' ? `scripted:${taskId}` : model);
  return startPolicyServer({ tasksDir });
}

export async function runSingleEpisode(params: SingleEpisodeParams): Promise<SingleEpisodeResult> {
  // An output folder that cannot be written fails now, not after the episode.
  const out = resolve(params.outDir);
  await makeDirectory(out);
  await access(out, constants.W_OK);
  const resolved = await resolveTask(params.task, { scale: params.scale, mlgymCompatible: params.mlgymCompatible, dirs: params.catalogDirs, log: params.log });
  const backend = await sandboxBackend(params.backend);
  const imageId = await backend.imageId(resolved.image);
  const builtin = !params.model.baseUrl && isBuiltinPolicy(params.model.model);
  if (!params.model.baseUrl && !builtin)
    throw new InvalidArgumentError(
      `baseUrl: expected the endpoint of model ${params.model.model}; the built-in policies (scripted, replay:<record>) need none`,
    );
  const server = builtin ? await policyServerFor(params.model.model, resolved.id, params.catalogDirs?.tasks) : undefined;
  const create = (sandboxParams: SandboxCreateParams) => backend.create(sandboxParams);
  const env = new LabgymEnv({ maxSteps: params.maxSteps, mlgymCompatible: params.mlgymCompatible, createSandbox: create });
  const abort = () => void env.close();
  params.signal?.addEventListener('abort', abort, { once: true });
  try {
    const client = new ModelClient({ ...params.model, baseUrl: params.model.baseUrl ?? server!.baseUrl });
    params.log?.(
      `episode: task ${resolved.ref}, model ${params.model.model}, seed ${params.seed ?? 0}, endpoint ${server ? 'built-in policy server' : params.model.baseUrl}`,
    );
    const record = await runEpisode({
      env,
      task: { ...resolved.envTask, evaluator: resolved.evaluator.withCreateSandbox(create) },
      client,
      seed: params.seed ?? 0,
      ...(params.agent ? { agent: params.agent } : {}),
      limits: params.episodeCostUsd !== undefined ? { episodeCostUsd: params.episodeCostUsd } : {},
      taskInfo: { contentHash: resolved.contentHash, ...(imageId ? { imageId } : {}) },
      ...(params.onStep ? { onStep: params.onStep } : {}),
    });
    if (params.signal?.aborted) throw new InterruptedError('interrupted: the episode was ended early and not recorded');
    const file = join(out, 'episodes.jsonl');
    await appendEpisode(file, record);
    return { record, file };
  } finally {
    params.signal?.removeEventListener('abort', abort);
    await env.close();
    await server?.close();
  }
}
