/**
 * The generate loop: expand a spec into episode jobs, skip the ones the run directory already holds, and run
 * the rest with p-limit concurrency, each inside CPU-slot and GPU leases, with sandboxes from the warm pool
 * and model calls limited per endpoint. Complete records go to this process's shard; sandbox failures are
 * retried per policy; everything is journalled. stop() ends scheduling (running episodes finish); abort()
 * also ends the running ones (their sandboxes are closed; they count as missing, for a resume).
 */

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { SANDBOX_ERROR_STATUS, runEpisode, type HistoryProcessorSpec } from '../agent/index.js';
import { seedList, type GenerationSpec, type ModelSpec } from '../config/generation-spec.js';
import { LabgymEnv } from '../env/index.js';
import { PrerequisiteError, SandboxUnavailableError } from '../errors.js';
import { CostBudget, isBuiltinPolicy, startPolicyServer, type PolicyServer } from '../models/index.js';
import { DockerBackend, dockerClient, pingDocker, type Sandbox, type SandboxCreateParams } from '../sandbox/index.js';
import { episodeIdOf, newRunId, RunStore, type EpisodeJob, type EpisodeStages } from '../store/index.js';
import type { EpisodeRecord } from '../store/index.js';
import type { CatalogDirs, ResolvedTask } from '../tasks/index.js';
import { CpuSlots } from './cpu-slots.js';
import { EndpointLimits, LimitedModelClient } from './endpoint-limits.js';
import { GpuLeases } from './gpus.js';
import { cpuSlotsOf, preflight, slotsFor } from './preflight.js';
import { silentProgress, type ProgressReporter } from './progress.js';
import { EvaluationPool } from './evaluation-pool.js';
import { WarmPool } from './warm-pool.js';

export interface GenerateParams {
  readonly spec: GenerationSpec;
  /** Names the spec in error messages (its file). */
  readonly source: string;
  /** Continue this run directory instead of starting a new one (the spec is the one saved there). */
  readonly resumeDir?: string;
  readonly catalogDirs?: CatalogDirs;
  readonly policyTasksDir?: string;
  readonly progress?: ProgressReporter;
  /** Preparation messages (image builds). */
  readonly log?: (line: string) => void;
  /** Called when an episode's sandbox is ready (tests kill it from here). */
  readonly onEpisodeStart?: (event: { readonly episodeId: string; readonly try: number; readonly sandboxId: string; readonly task: string }) => void;
  /** How sandboxes are made. @default the Docker backend (tests with a fake GPU inventory strip the devices here) */
  readonly createSandbox?: (params: SandboxCreateParams) => Promise<Sandbox>;
  /** How long a retry waits for a Docker daemon that went away. @unit ms @default 60000 */
  readonly dockerWaitMs?: number;
}

export interface GenerateSummary {
  readonly runId: string;
  readonly runDir: string;
  readonly outcome: 'completed' | 'interrupted' | 'failed';
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
  readonly endpoints: readonly { readonly baseUrl: string; readonly slots: number; readonly requests: number; readonly utilisation: number; readonly steadyUtilisation: number }[];
  /** Reset times (ms), split by whether the sandbox came warm from the pool. */
  readonly resets: { readonly warmMs: readonly number[]; readonly coldMs: readonly number[] };
  /** Evaluation sandboxes handed out, and how many of them were started ahead (EvaluationPool). */
  readonly evaluationSandboxes: { readonly total: number; readonly startedAhead: number };
  readonly failures: readonly { readonly episodeId: string; readonly error: string }[];
}

export interface GenerationRun {
  /** Stop scheduling; running episodes finish. */
  stop(): void;
  /** Stop scheduling and end the running episodes now. */
  abort(): void;
  readonly done: Promise<GenerateSummary>;
}

type Job = EpisodeJob & { readonly episodeId: string };

export function expandJobs(spec: GenerationSpec, specHash: string): Job[] {
  const jobs: Job[] = [];
  for (const task of spec.tasks)
    for (const model of spec.models)
      for (const seed of seedList(spec))
        for (let attempt = 0; attempt < spec.attempts; attempt++) {
          const job = { task, model: model.name, seed, attempt, specHash };
          jobs.push({ ...job, episodeId: episodeIdOf(job) });
        }
  return jobs;
}

function historySpec(text: string): HistoryProcessorSpec {
  if (text === 'identity' || text === 'closed_window') return { type: text };
  return { type: 'last_n_observations', n: Number(text.slice(4)) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An infrastructure failure (container or daemon gone), not the agent's doing: worth another try. */
function isSandboxFailure(error: unknown, record: EpisodeRecord | undefined): boolean {
  if (record) return record.exitStatus === SANDBOX_ERROR_STATUS || (record.exitStatus === 'early_exit' && /SandboxUnavailableError|PrerequisiteError: no Docker daemon/.test(record.error ?? ''));
  return error instanceof SandboxUnavailableError || (error instanceof PrerequisiteError && /Docker daemon/.test(error.message)) || /ECONNREFUSED|ENOENT.*docker\.sock|socket hang up/.test(String(error));
}

async function waitForDocker(ms: number, cancelled: () => boolean): Promise<void> {
  const until = performance.now() + ms;
  while (!cancelled()) {
    try {
      await pingDocker(dockerClient());
      return;
    } catch (error) {
      if (performance.now() > until) throw error;
      await sleep(500);
    }
  }
}

/** Start a run (or resume one). Throws GenerationSpecError before any episode when the spec cannot run. */
export async function startGeneration(params: GenerateParams): Promise<GenerationRun> {
  const { spec } = params;
  const progress = params.progress ?? silentProgress;
  const checked = await preflight({ spec, source: params.source, catalogDirs: params.catalogDirs, policyTasksDir: params.policyTasksDir, log: params.log });
  await pingDocker();
  // Sandboxes of killed runs: the lifeline removes started ones by itself, but one killed between create and
  // start stays behind (on a resume after kill -9, typically).
  const orphans = await new DockerBackend().cleanup();
  if (orphans.length) params.log?.(`removed ${orphans.length} sandbox(es) left by processes that are gone`);

  const specYaml = stringify(spec);
  const store = params.resumeDir ? await RunStore.open(params.resumeDir) : await RunStore.create(join(spec.output.dir, newRunId(spec.name)), specYaml);
  const specHash = createHash('sha256').update(specYaml).digest('hex').slice(0, 16);
  const jobs = expandJobs(spec, specHash);
  const existing = await store.readEpisodes();
  const complete = new Set(existing.records.map((record) => record.episodeId));
  const missing = jobs.filter((job) => !complete.has(job.episodeId));
  const alreadyDone = jobs.length - missing.length;
  await store.journal({ event: params.resumeDir ? 'run-resumed' : 'run-started', pid: process.pid, shard: store.shard, episodes: jobs.length, missing: missing.length });

  const needsServer = spec.models.some((model) => !model.baseUrl && isBuiltinPolicy(model.name));
  const server: PolicyServer | undefined = needsServer
    ? await startPolicyServer({
        tasksDir: params.policyTasksDir ?? params.catalogDirs?.tasks,
        ...(spec.policyServer.latencyMs > 0 ? { faults: { rates: { slow: 1 }, slowMs: spec.policyServer.latencyMs } } : {}),
      })
    : undefined;
  const endpoints = new EndpointLimits(spec.concurrency.requestsPerEndpoint);
  const clients = new Map<string, LimitedModelClient>(
    spec.models.map((model: ModelSpec) => {
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
  const runBudget = spec.limits.runCostUsd !== undefined ? new CostBudget('run', spec.limits.runCostUsd) : undefined;
  const pool = new WarmPool({ perImage: spec.warmPool.perImage, ...(params.createSandbox ? { create: params.createSandbox } : {}) });
  const evaluationPool = new EvaluationPool({ perKey: spec.warmPool.evaluators, ...(params.createSandbox ? { create: params.createSandbox } : {}) });
  const envTasks = new Map(
    [...checked.tasks].map(([ref, task]) => [ref, { ...task.envTask, evaluator: task.evaluator.withCreateSandbox(evaluationPool.create) }]),
  );
  for (const ref of new Set(missing.map((job) => job.task))) evaluationPool.prepare(checked.tasks.get(ref)!.evaluator.sandboxParams());
  const cpuSlots = new CpuSlots(cpuSlotsOf(spec));
  const gpuLeases = new GpuLeases(checked.gpus);
  const limit = pLimit(spec.concurrency.episodes);
  const active = new Set<LabgymEnv>();

  let stopping = false;
  let aborting = false;
  const started = performance.now();
  const counts = { done: 0, failed: 0, skipped: 0, retries: 0, running: 0, tokens: 0, costUsd: 0, gpuSeconds: 0 };
  const resets = { warmMs: [] as number[], coldMs: [] as number[] };
  const failures: { episodeId: string; error: string }[] = [];

  const snapshot = () => {
    const hours = (performance.now() - started) / 3_600_000;
    const perHour = counts.done / Math.max(hours, 1e-9);
    const left = missing.length - counts.done - counts.failed - counts.skipped;
    return {
      total: jobs.length,
      done: alreadyDone + counts.done,
      failed: counts.failed,
      running: counts.running,
      tokens: counts.tokens,
      costUsd: counts.costUsd,
      perHour: counts.done ? perHour : 0,
      etaSeconds: counts.done ? (left / perHour) * 3600 : undefined,
    };
  };
  const ticker = setInterval(() => progress.update(snapshot()), 1000);
  ticker.unref();
  progress.update(snapshot());

  const runJob = async (job: Job, task: ResolvedTask): Promise<void> => {
    const client = clients.get(job.model)!.withOptions({ sampling: { ...clients.get(job.model)!.options.sampling, seed: job.seed } });
    for (let attempt = 1; ; attempt++) {
      if (stopping) {
        counts.skipped += 1;
        return;
      }
      const queued = performance.now();
      const slots = await cpuSlots.acquire(slotsFor(task));
      let gpus;
      try {
        gpus = await gpuLeases.acquire(task.config.resources.gpus);
      } catch (error) {
        slots.release();
        throw error;
      }
      const queueMs = performance.now() - queued;
      counts.running += 1;
      const env = new LabgymEnv({
        maxSteps: spec.agent.maxSteps,
        sandboxSource: pool,
        ...(spec.limits.episodeSeconds ? { wallClockBudgetMs: spec.limits.episodeSeconds * 1000 } : {}),
      });
      active.add(env);
      let record: EpisodeRecord | undefined;
      let thrown: unknown;
      let gpuSeconds = 0;
      let acquisition;
      try {
        if (aborting) throw new SandboxUnavailableError('the run was aborted before this episode started');
        await store.journal({ event: 'episode-started', episodeId: job.episodeId, try: attempt, ...(gpus.uuids.length ? { gpus: gpus.uuids } : {}) });
        let announced = false;
        const pooled = envTasks.get(job.task)!;
        const envTask = gpus.uuids.length ? { ...pooled, gpus: gpus.uuids } : pooled;
        record = await runEpisode({
          env,
          task: envTask,
          client,
          seed: job.seed,
          agent: { responseFormat: spec.agent.responseFormat, historyProcessor: historySpec(spec.agent.history), maxRequeries: spec.agent.maxRequeries },
          limits: { ...(spec.limits.episodeCostUsd !== undefined ? { episodeCostUsd: spec.limits.episodeCostUsd } : {}), ...(runBudget ? { runBudget } : {}) },
          taskInfo: { contentHash: task.contentHash },
          episodeId: job.episodeId,
          runId: store.runId,
          onStep: () => {
            if (announced || !env.currentSandbox) return;
            announced = true;
            params.onEpisodeStart?.({ episodeId: job.episodeId, try: attempt, sandboxId: env.currentSandbox.id, task: job.task });
          },
        });
      } catch (error) {
        thrown = error;
      } finally {
        acquisition = env.currentSandbox ? pool.acquisitionOf(env.currentSandbox) : undefined;
        active.delete(env);
        await env.close().catch(() => undefined);
        gpuSeconds = gpus.release();
        slots.release();
        counts.running -= 1;
      }

      const steps = record?.steps ?? [];
      const evaluationMs = steps.filter((step) => step.evaluation).reduce((sum, step) => sum + step.executionMs, 0);
      const ms = (value: number) => Math.round(value * 10) / 10;
      const stages: EpisodeStages = {
        queueMs: ms(queueMs),
        containerStartMs: ms(acquisition?.ms ?? 0),
        warmStart: acquisition?.warm ?? false,
        resetMs: ms(record?.timings?.resetMs ?? 0),
        modelMs: ms(record?.timings?.modelMs ?? 0),
        commandMs: ms((record?.timings?.envMs ?? 0) - evaluationMs),
        evaluationMs: ms(evaluationMs),
        totalMs: ms(record?.timings?.totalMs ?? 0),
        gpuSeconds: ms(gpuSeconds),
      };
      if (record) {
        counts.tokens += record.usage.totalTokens;
        counts.costUsd += record.usage.costUsd;
      }
      counts.gpuSeconds += gpuSeconds;
      const label = `${job.task} seed ${job.seed} attempt ${job.attempt} (${job.model})`;

      if (record && !isSandboxFailure(thrown, record)) {
        (acquisition?.warm ? resets.warmMs : resets.coldMs).push(stages.resetMs);
        await store.appendEpisode(record);
        await store.journal({ event: 'episode-finished', episodeId: job.episodeId, try: attempt, exitStatus: record.exitStatus, shard: store.shard, stages });
        counts.done += 1;
        const final = record.scores.final?.score;
        progress.line(`done ${alreadyDone + counts.done}/${jobs.length}: ${label}: ${record.exitStatus}, ${record.steps.length} steps, final score ${final ?? 'none'} (${(stages.totalMs / 1000).toFixed(1)} s)`);
        progress.update(snapshot());
        return;
      }

      const retryable = isSandboxFailure(thrown, record);
      const error = record?.error ?? errorText(thrown);
      if (record) await store.writeArtifact(job.episodeId, `try-${attempt}.record.json`, JSON.stringify(record));
      const final = !retryable || aborting || attempt > spec.retry.sandboxErrors;
      await store.journal({ event: 'episode-failed', episodeId: job.episodeId, try: attempt, error, final, stages });
      if (final) {
        counts.failed += 1;
        failures.push({ episodeId: job.episodeId, error });
        progress.line(`failed: ${label}: ${error}${aborting ? ' (aborted)' : ''}`);
        progress.update(snapshot());
        return;
      }
      counts.retries += 1;
      progress.line(`retry: ${label}: ${error.split('\n')[0]} (try ${attempt + 1} of ${spec.retry.sandboxErrors + 1})`);
      await Promise.all([pool.flush(), evaluationPool.flush()]);
      await waitForDocker(params.dockerWaitMs ?? 60_000, () => aborting).catch(() => undefined);
    }
  };

  const outcomeOf = () => (stopping ? 'interrupted' : counts.failed ? 'failed' : 'completed');

  const done = (async (): Promise<GenerateSummary> => {
    let crashed = false;
    try {
      await Promise.all(
        missing.map((job) => {
          void store.journal({ event: 'episode-scheduled', episodeId: job.episodeId, task: job.task, model: job.model, seed: job.seed, attempt: job.attempt, specHash });
          return limit(() => runJob(job, checked.tasks.get(job.task)!));
        }),
      );
    } catch (error) {
      crashed = true;
      throw error;
    } finally {
      clearInterval(ticker);
      progress.update(snapshot());
      progress.stop();
      await Promise.all([pool.close(), evaluationPool.close()]);
      await server?.close();
      const outcome = crashed ? 'failed' : outcomeOf();
      await store.journal({ event: 'run-ended', pid: process.pid, outcome, done: counts.done, failed: counts.failed }).catch(() => undefined);
      await store.close();
    }
    const wallMs = performance.now() - started;
    return {
      runId: store.runId,
      runDir: store.dir,
      outcome: outcomeOf(),
      episodes: jobs.length,
      alreadyDone,
      done: counts.done,
      failed: counts.failed,
      skipped: counts.skipped,
      retries: counts.retries,
      tokens: counts.tokens,
      costUsd: counts.costUsd,
      wallMs,
      trajectoriesPerHour: counts.done / (wallMs / 3_600_000),
      gpuSeconds: counts.gpuSeconds,
      endpoints: endpoints.all().map((limiter) => ({ baseUrl: limiter.baseUrl, slots: limiter.slots, ...limiter.stats() })),
      resets,
      evaluationSandboxes: { total: evaluationPool.counts.total, startedAhead: evaluationPool.counts.startedAhead },
      failures,
    };
  })();

  return {
    stop: () => {
      stopping = true;
    },
    abort: () => {
      stopping = true;
      aborting = true;
      for (const env of active) void env.currentSandbox?.close();
    },
    done,
  };
}

/** Run to the end (no signals): the library entry for tests and scripts. */
export async function generate(params: GenerateParams): Promise<GenerateSummary> {
  return (await startGeneration(params)).done;
}
