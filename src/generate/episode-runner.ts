/**
 * Runs one episode job to its end: leases (CPU slots, GPUs), a sandbox from the warm pool, the agent loop, and
 * the booking of the outcome. An infrastructure failure (the record's exit reason sandbox_error, or a
 * SandboxUnavailableError) is tried again after the backend answers; anything else is final.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentOptions, type EpisodeLimits, runEpisode } from '../agent/index.js';
import type { GenerationSpec } from '../config/generation-spec.js';
import { type EnvTask, LabgymEnv } from '../env/index.js';
import { isSandboxUnavailable, SandboxUnavailableError } from '../errors.js';
import type { ModelClient } from '../models/index.js';
import type { SandboxBackend } from '../sandbox/index.js';
import type { EpisodeRecord, EpisodeStages } from '../store/index.js';
import type { ResolvedTask } from '../tasks/index.js';
import type { CpuSlots } from './cpu-slots.js';
import { EpisodeSandboxes } from './episode-sandboxes.js';
import type { EvaluationPool } from './evaluation-pool.js';
import type { GpuLease, GpuLeases } from './gpus.js';
import type { Job } from './jobs.js';
import { slotsFor } from './preflight.js';
import type { RunLedger } from './run-ledger.js';
import type { RunProgress } from './run-progress.js';
import type { Acquisition, WarmPool } from './warm-pool.js';

/** Everything of a task an episode needs, resolved once per run. */
export interface RunnableTask {
  readonly resolved: ResolvedTask;
  /** The task with its evaluator drawing sandboxes from the evaluation pool. */
  readonly envTask: EnvTask;
  readonly imageId?: string;
}

export interface EpisodeStartEvent {
  readonly episodeId: string;
  readonly try: number;
  readonly sandboxId: string;
  readonly task: string;
}

export interface EpisodeRunnerParams {
  readonly spec: GenerationSpec;
  readonly runId: string;
  readonly backend: SandboxBackend;
  readonly tasks: ReadonlyMap<string, RunnableTask>;
  readonly clients: ReadonlyMap<string, ModelClient>;
  readonly agent: AgentOptions;
  readonly limits: EpisodeLimits;
  readonly pool: WarmPool;
  readonly evaluationPool: EvaluationPool;
  readonly cpuSlots: CpuSlots;
  readonly gpuLeases: GpuLeases;
  readonly ledger: RunLedger;
  readonly progress: RunProgress;
  readonly onEpisodeStart?: (event: EpisodeStartEvent) => void;
  /** How long a retry waits for the backend to answer again. @unit ms */
  readonly backendWaitMs: number;
}

/** What one try ended with. */
interface TryResult {
  readonly record?: EpisodeRecord;
  readonly thrown?: unknown;
  readonly stages: EpisodeStages;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An infrastructure failure (container or daemon gone), not the agent's doing: worth another try. */
export function isInfrastructureFailure(result: { readonly record?: EpisodeRecord; readonly thrown?: unknown }): boolean {
  return result.record ? result.record.exitReason === 'sandbox_error' : isSandboxUnavailable(result.thrown);
}

const roundMs = (value: number) => Math.round(value * 10) / 10;

export class EpisodeRunner {
  private stopping = false;
  private aborting = false;
  private readonly active = new Set<EpisodeSandboxes>();

  constructor(private readonly params: EpisodeRunnerParams) {}

  get stopped(): boolean {
    return this.stopping;
  }

  /** Start no more episodes; running ones finish. */
  stop(): void {
    this.stopping = true;
  }

  /** Start no more episodes and end the running ones (their sandboxes are closed; they count as missing). */
  abort(): void {
    this.stopping = true;
    this.aborting = true;
    for (const sandboxes of this.active) void sandboxes.abort().catch(() => undefined);
  }

  async run(job: Job): Promise<void> {
    const { ledger, progress, spec } = this.params;
    const tries = spec.retry.sandboxErrors + 1;
    for (let attempt = 1; ; attempt++) {
      if (this.stopping) return ledger.skipped();
      const result = await this.runTry(job, attempt);
      if (result.record && !isInfrastructureFailure(result)) {
        await ledger.finished(job, attempt, result.record, result.stages);
        progress.finished(job, result.record, result.stages.totalMs);
        return;
      }
      const error = result.record?.error ?? errorText(result.thrown);
      if (result.record) await ledger.keepFailedRecord(job, attempt, result.record);
      const final = !isInfrastructureFailure(result) || this.aborting || attempt >= tries;
      await ledger.failed(job, attempt, error, final, result.stages);
      if (final) return progress.failed(job, error, this.aborting);
      progress.retrying(job, error, attempt + 1, tries);
      await Promise.all([this.params.pool.flush(), this.params.evaluationPool.flush()]);
      await this.waitForBackend();
    }
  }

  private async runTry(job: Job, attempt: number): Promise<TryResult> {
    const { spec, ledger } = this.params;
    const task = this.params.tasks.get(job.task)!;
    const queued = performance.now();
    const slots = await this.params.cpuSlots.acquire(slotsFor(task.resolved));
    const gpus = await this.params.gpuLeases.acquire(task.resolved.config.resources.gpus).catch((error: unknown) => {
      slots.release();
      throw error;
    });
    const queueMs = performance.now() - queued;
    if (this.aborting) {
      gpus.release();
      slots.release();
      return { thrown: new SandboxUnavailableError('the run was aborted before this episode started'), stages: stagesOf(undefined, queueMs, undefined, 0) };
    }
    const sandboxes = new EpisodeSandboxes(this.params.pool);
    const env = new LabgymEnv({
      maxSteps: spec.agent.maxSteps,
      sandboxSource: sandboxes,
      ...(spec.limits.episodeSeconds ? { wallClockBudgetMs: spec.limits.episodeSeconds * 1000 } : {}),
    });
    this.active.add(sandboxes);
    let record: EpisodeRecord | undefined;
    let thrown: unknown;
    let acquisition: Acquisition | undefined;
    let gpuSeconds = 0;
    try {
      await ledger.episodeStarted(job, attempt, gpus.uuids);
      record = await this.episode(job, attempt, task, sandboxes, env, gpus);
    } catch (error) {
      thrown = error;
    } finally {
      acquisition = sandboxes.acquisition;
      this.active.delete(sandboxes);
      await env.close().catch(() => undefined);
      gpuSeconds = gpus.release();
      slots.release();
      ledger.episodeEnded(record, gpuSeconds);
    }
    return { record, thrown, stages: stagesOf(record, queueMs, acquisition, gpuSeconds) };
  }

  private async episode(job: Job, attempt: number, task: RunnableTask, sandboxes: EpisodeSandboxes, env: LabgymEnv, gpus: GpuLease): Promise<EpisodeRecord> {
    const base = this.params.clients.get(job.model)!;
    const client = base.withOptions({ sampling: { ...base.options.sampling, seed: job.seed } });
    let announced = false;
    return runEpisode({
      env,
      task: gpus.uuids.length ? { ...task.envTask, gpus: gpus.uuids } : task.envTask,
      client,
      seed: job.seed,
      agent: this.params.agent,
      limits: this.params.limits,
      taskInfo: { contentHash: task.resolved.contentHash, ...(task.imageId ? { imageId: task.imageId } : {}) },
      episodeId: job.episodeId,
      runId: this.params.runId,
      gpuSeconds: () => gpus.heldSeconds(),
      onStep: () => {
        if (announced || !sandboxes.current) return;
        announced = true;
        this.params.onEpisodeStart?.({ episodeId: job.episodeId, try: attempt, sandboxId: sandboxes.current.id, task: job.task });
      },
    });
  }

  private async waitForBackend(): Promise<void> {
    const until = performance.now() + this.params.backendWaitMs;
    while (!this.aborting) {
      try {
        return await this.params.backend.ping();
      } catch {
        if (performance.now() > until) return;
        await sleep(500);
      }
    }
  }
}

function stagesOf(record: EpisodeRecord | undefined, queueMs: number, acquisition: Acquisition | undefined, gpuSeconds: number): EpisodeStages {
  const steps = record?.steps ?? [];
  const evaluationMs = steps.filter((step) => step.evaluation).reduce((sum, step) => sum + step.executionMs, 0);
  return {
    queueMs: roundMs(queueMs),
    containerStartMs: roundMs(acquisition?.ms ?? 0),
    warmStart: acquisition?.warm ?? false,
    resetMs: roundMs(record?.timings?.resetMs ?? 0),
    modelMs: roundMs(record?.timings?.modelMs ?? 0),
    commandMs: roundMs((record?.timings?.envMs ?? 0) - evaluationMs),
    evaluationMs: roundMs(evaluationMs),
    totalMs: roundMs(record?.timings?.totalMs ?? 0),
    gpuSeconds: roundMs(gpuSeconds),
  };
}
