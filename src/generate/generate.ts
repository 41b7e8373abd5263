/**
 * The generate loop: expand a spec into episode jobs, skip those the run directory holds, and run the rest with
 * p-limit concurrency through an EpisodeRunner (leases, pools, retries), booked by a RunLedger and shown by a
 * RunProgress. stop() ends scheduling; abort() also ends running episodes (they count as missing, for a resume).
 */

import { createHash } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import type { GenerationSpec, ModelSpec } from '../config/generation-spec.js';
import { CostBudget, isBuiltinPolicy, type PolicyServer, startPolicyServer } from '../models/index.js';
import { type Sandbox, type SandboxBackend, type SandboxCreateParams, sandboxBackend } from '../sandbox/index.js';
import { isUnreachableApiExit, makeDirectory, newRunId, RunStore } from '../store/index.js';
import type { CatalogDirs } from '../tasks/index.js';
import { CpuSlots } from './cpu-slots.js';
import { EndpointLimits, LimitedModelClient } from './endpoint-limits.js';
import { EpisodeRunner, type EpisodeStartEvent, type RunnableTask } from './episode-runner.js';
import { EvaluationPool } from './evaluation-pool.js';
import { GpuLeases } from './gpus.js';
import { expandJobs, type Job, parseHistoryProcessor } from './jobs.js';
import { cpuSlotsOf, type Preflight, preflight } from './preflight.js';
import { type ProgressReporter, silentProgress } from './progress.js';
import { type EpisodeFailure, RunLedger, type RunOutcome } from './run-ledger.js';
import { RunProgress } from './run-progress.js';
import { WarmPool } from './warm-pool.js';

export interface GenerateParams {
  readonly spec: GenerationSpec;
  /** Names the spec in error messages (its file). */
  readonly source: string;
  /** Continue this run directory instead of starting a new one (the spec is the one saved there). */
  readonly resumeDir?: string;
  /** On resume, run again the episodes that ended exit_api because the endpoint was unreachable. @default true */
  readonly retryApi?: boolean;
  readonly catalogDirs?: CatalogDirs;
  readonly policyTasksDir?: string;
  readonly progress?: ProgressReporter;
  /** Preparation messages (image builds). */
  readonly log?: (line: string) => void;
  /** Called when an episode's sandbox is ready (tests kill it from here). */
  readonly onEpisodeStart?: (event: EpisodeStartEvent) => void;
  /** How sandboxes are made. @default the spec's backend (tests with a fake GPU inventory strip the devices here) */
  readonly createSandbox?: (params: SandboxCreateParams) => Promise<Sandbox>;
  /** How long a retry waits for a backend that went away. @unit ms @default 60000 */
  readonly backendWaitMs?: number;
}

export interface GenerateSummary {
  readonly runId: string;
  readonly runDir: string;
  readonly outcome: RunOutcome;
  /** Episodes the spec names. */
  readonly episodes: number;
  /** Complete episodes already in the run directory when this process started. */
  readonly alreadyDone: number;
  readonly done: number;
  readonly failed: number;
  /** Not started because the run was stopped. */
  readonly skipped: number;
  /** Sandbox failures that were tried again. */
  readonly retries: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly wallMs: number;
  readonly trajectoriesPerHour: number;
  readonly gpuSeconds: number;
  readonly endpoints: readonly {
    readonly baseUrl: string;
    readonly slots: number;
    readonly requests: number;
    readonly utilisation: number;
    readonly steadyUtilisation: number;
  }[];
  /** Reset times (ms), split by whether the sandbox came warm from the pool. */
  readonly resets: { readonly warmMs: readonly number[]; readonly coldMs: readonly number[] };
  /** Evaluation sandboxes handed out, and how many of them were started ahead (EvaluationPool). */
  readonly evaluationSandboxes: { readonly total: number; readonly startedAhead: number };
  readonly failures: readonly EpisodeFailure[];
}

export interface GenerationRun {
  /** Stop scheduling; running episodes finish. */
  stop(): void;
  /** Stop scheduling and end the running episodes now. */
  abort(): void;
  readonly done: Promise<GenerateSummary>;
}

function modelClients(models: readonly ModelSpec[], server: PolicyServer | undefined, endpoints: EndpointLimits): Map<string, LimitedModelClient> {
  return new Map(
    models.map((model) => {
      const baseUrl = model.baseUrl ?? server!.baseUrl;
      const options = {
        baseUrl,
        model: model.name,
        apiKeyEnv: model.apiKeyEnv,
        sampling: model.sampling,
        timeoutMs: model.timeoutSeconds * 1000,
        maxRetries: model.maxRetries,
        ...(model.pricing ? { pricing: model.pricing } : {}),
        ...(model.contextWindowTokens ? { contextWindowTokens: model.contextWindowTokens } : {}),
      };
      return [model.name, new LimitedModelClient(options, endpoints.for(baseUrl))];
    }),
  );
}

/** Each task with its evaluator drawing from the evaluation pool, and its image's content id for the records. */
async function runnableTasks(checked: Preflight, backend: SandboxBackend, evaluationPool: EvaluationPool): Promise<Map<string, RunnableTask>> {
  const tasks = new Map<string, RunnableTask>();
  for (const [ref, resolved] of checked.tasks) {
    const imageId = await backend.imageId(resolved.image);
    const envTask = { ...resolved.envTask, evaluator: resolved.evaluator.withCreateSandbox(evaluationPool.create) };
    tasks.set(ref, { resolved, envTask, ...(imageId ? { imageId } : {}) });
  }
  return tasks;
}

function startPolicyServerIfNeeded(spec: GenerationSpec, tasksDir: string | undefined): Promise<PolicyServer | undefined> {
  if (!spec.models.some((model) => !model.baseUrl && isBuiltinPolicy(model.name))) return Promise.resolve(undefined);
  const latency = spec.policyServer.latencyMs > 0 ? { faults: { rates: { slow: 1 }, slowMs: spec.policyServer.latencyMs } } : {};
  return startPolicyServer({ tasksDir, ...latency });
}

/** Start a run (or resume one). Throws GenerationSpecError before any episode when the spec cannot run. */
export async function startGeneration(params: GenerateParams): Promise<GenerationRun> {
  // A resume takes the run's lock first: a second writer is refused before any preparation.
  const resumed = params.resumeDir ? await RunStore.open(params.resumeDir) : undefined;
  try {
    return await prepareGeneration(params, resumed);
  } catch (error) {
    await resumed?.close().catch(() => undefined);
    throw error;
  }
}

async function prepareGeneration(params: GenerateParams, resumed: RunStore | undefined): Promise<GenerationRun> {
  const { spec } = params;
  if (!resumed) {
    // An output folder that cannot be written fails now, before images are built.
    await makeDirectory(spec.output.dir);
    await access(spec.output.dir, constants.W_OK);
  }
  const checked = await preflight({ spec, source: params.source, catalogDirs: params.catalogDirs, policyTasksDir: params.policyTasksDir, log: params.log });
  const backend = await sandboxBackend(spec.sandbox.backend);
  await backend.ping();
  // Sandboxes of killed runs: most remove themselves, but one killed between create and start stays behind.
  const orphans = await backend.cleanup();
  if (orphans.length) params.log?.(`removed ${orphans.length} sandbox(es) left by processes that are gone`);

  const create = params.createSandbox ?? ((sandboxParams: SandboxCreateParams) => backend.create(sandboxParams));
  const pool = new WarmPool({ perImage: spec.warmPool.perImage, create });
  const evaluationPool = new EvaluationPool({ perKey: spec.warmPool.evaluators, create });
  const tasks = await runnableTasks(checked, backend, evaluationPool);

  const specYaml = stringify(spec);
  const store = resumed ?? (await RunStore.create(join(spec.output.dir, newRunId(spec.name)), specYaml));
  const jobs = expandJobs(spec, createHash('sha256').update(specYaml).digest('hex').slice(0, 16));
  const stored = (await store.readEpisodes()).records;
  const retried = new Set(params.retryApi === false ? [] : stored.filter(isUnreachableApiExit).map((record) => record.episodeId));
  await store.supersede(retried, 'exit_api: the endpoint was unreachable (rerun on resume)');
  const complete = new Set(stored.map((record) => record.episodeId).filter((id) => !retried.has(id)));
  if (retried.size) params.log?.(`running ${retried.size} episode(s) again that ended exit_api with the endpoint unreachable (--no-retry-api keeps them)`);
  const missing = jobs.filter((job) => !complete.has(job.episodeId));
  const ledger = new RunLedger(store, jobs.length, jobs.length - missing.length);
  await ledger.runStarted(params.resumeDir !== undefined, missing.length);

  const server = await startPolicyServerIfNeeded(spec, params.policyTasksDir ?? params.catalogDirs?.tasks);
  const endpoints = new EndpointLimits(spec.concurrency.requestsPerEndpoint);
  for (const ref of new Set(missing.map((job) => job.task))) evaluationPool.prepare(checked.tasks.get(ref)!.evaluator.sandboxParams());
  const progress = new RunProgress(params.progress ?? silentProgress, ledger);
  const runner = new EpisodeRunner({
    spec,
    runId: store.runId,
    backend,
    tasks,
    clients: modelClients(spec.models, server, endpoints),
    agent: { responseFormat: spec.agent.responseFormat, historyProcessor: parseHistoryProcessor(spec.agent.history), maxRequeries: spec.agent.maxRequeries },
    limits: {
      ...(spec.limits.episodeCostUsd !== undefined ? { episodeCostUsd: spec.limits.episodeCostUsd } : {}),
      ...(spec.limits.runCostUsd !== undefined ? { runBudget: new CostBudget('run', spec.limits.runCostUsd) } : {}),
    },
    pool,
    evaluationPool,
    cpuSlots: new CpuSlots(cpuSlotsOf(spec)),
    gpuLeases: new GpuLeases(checked.gpus),
    ledger,
    progress,
    ...(params.onEpisodeStart ? { onEpisodeStart: params.onEpisodeStart } : {}),
    backendWaitMs: params.backendWaitMs ?? 60_000,
  });
  const done = (async (): Promise<GenerateSummary> => {
    let outcome: RunOutcome = 'failed';
    try {
      for (const job of missing) await ledger.scheduled(job);
      const limit = pLimit(spec.concurrency.episodes);
      // A failure to store (a full disk) stops the run: running episodes end, and it is thrown once all have.
      const runOrAbort = async (job: Job) => {
        try {
          await runner.run(job);
        } catch (error) {
          runner.abort();
          throw error;
        }
      };
      const settled = await Promise.allSettled(missing.map((job) => limit(() => runOrAbort(job))));
      const storeFailure = settled.find((result) => result.status === 'rejected');
      if (storeFailure) throw storeFailure.reason;
      outcome = ledger.outcome(runner.stopped);
    } finally {
      progress.stop();
      await Promise.all([pool.close(), evaluationPool.close()]);
      await server?.close();
      await ledger.runEnded(outcome).catch(() => undefined);
      await store.close();
    }
    const counts = ledger.current;
    return {
      runId: store.runId,
      runDir: store.dir,
      outcome,
      episodes: jobs.length,
      alreadyDone: ledger.alreadyDone,
      done: counts.done,
      failed: counts.failed,
      skipped: counts.skipped,
      retries: counts.retries,
      tokens: counts.tokens,
      costUsd: counts.costUsd,
      wallMs: ledger.wallMs,
      trajectoriesPerHour: counts.done / (ledger.wallMs / 3_600_000),
      gpuSeconds: counts.gpuSeconds,
      endpoints: endpoints.all().map((limiter) => ({ baseUrl: limiter.baseUrl, slots: limiter.slots, ...limiter.stats() })),
      resets: ledger.resets,
      evaluationSandboxes: { total: evaluationPool.counts.total, startedAhead: evaluationPool.counts.startedAhead },
      failures: ledger.failures,
    };
  })();

  return { stop: () => runner.stop(), abort: () => runner.abort(), done };
}

/** Run to the end (no signals): the library entry for tests and scripts. */
export async function generate(params: GenerateParams): Promise<GenerateSummary> {
  return (await startGeneration(params)).done;
}
