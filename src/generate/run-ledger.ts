/**
 * What a generation run has done so far: the journal it writes (every write awaited, in order), the counts
 * the progress bar shows, and the summary it ends with. The one place episode outcomes are booked.
 */

import type { EpisodeRecord, EpisodeStages, RunStore } from '../store/index.js';
import type { Job } from './jobs.js';
import type { ProgressSnapshot } from './progress.js';

export type RunOutcome = 'completed' | 'interrupted' | 'failed';

export interface EpisodeFailure {
  readonly episodeId: string;
  readonly error: string;
}

export interface LedgerCounts {
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly retries: number;
  readonly running: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly gpuSeconds: number;
}

export class RunLedger {
  private readonly counts = { done: 0, failed: 0, skipped: 0, retries: 0, running: 0, tokens: 0, costUsd: 0, gpuSeconds: 0 };
  private readonly started = performance.now();
  /** Reset times (ms), split by whether the sandbox came warm from the pool. */
  readonly resets = { warmMs: [] as number[], coldMs: [] as number[] };
  readonly failures: EpisodeFailure[] = [];

  constructor(
    private readonly store: RunStore,
    /** Episodes the spec names, and how many of them were complete before this process started. */
    readonly total: number,
    readonly alreadyDone: number,
  ) {}

  get current(): LedgerCounts {
    return { ...this.counts };
  }

  get wallMs(): number {
    return performance.now() - this.started;
  }

  async runStarted(resumed: boolean, missing: number): Promise<void> {
    await this.store.journal({ event: resumed ? 'run-resumed' : 'run-started', pid: process.pid, shard: this.store.shard, episodes: this.total, missing });
  }

  async scheduled(job: Job): Promise<void> {
    await this.store.journal({
      event: 'episode-scheduled',
      episodeId: job.episodeId,
      task: job.task,
      model: job.model,
      seed: job.seed,
      attempt: job.attempt,
      specHash: job.specHash,
    });
  }

  async episodeStarted(job: Job, attempt: number, gpus: readonly string[]): Promise<void> {
    this.counts.running += 1;
    await this.store.journal({ event: 'episode-started', episodeId: job.episodeId, try: attempt, ...(gpus.length ? { gpus } : {}) });
  }

  /** The try has ended, whatever its outcome: its usage counts. */
  episodeEnded(record: EpisodeRecord | undefined, gpuSeconds: number): void {
    this.counts.running -= 1;
    this.counts.gpuSeconds += gpuSeconds;
    if (!record) return;
    this.counts.tokens += record.usage.totalTokens;
    this.counts.costUsd += record.usage.costUsd;
  }

  async finished(job: Job, attempt: number, record: EpisodeRecord, stages: EpisodeStages): Promise<void> {
    (stages.warmStart ? this.resets.warmMs : this.resets.coldMs).push(stages.resetMs);
    await this.store.appendEpisode(record);
    await this.store.journal({
      event: 'episode-finished',
      episodeId: job.episodeId,
      try: attempt,
      exitStatus: record.exitStatus,
      shard: this.store.shard,
      stages,
    });
    this.counts.done += 1;
  }

  /** The record of a try that failed (kept beside the run, never among its episodes). */
  async keepFailedRecord(job: Job, attempt: number, record: EpisodeRecord): Promise<void> {
    await this.store.writeArtifact(job.episodeId, `try-${attempt}.record.json`, JSON.stringify(record));
  }

  /** A failed try; `final` when it will not be tried again in this process. */
  async failed(job: Job, attempt: number, error: string, final: boolean, stages: EpisodeStages): Promise<void> {
    await this.store.journal({ event: 'episode-failed', episodeId: job.episodeId, try: attempt, error, final, stages });
    if (!final) {
      this.counts.retries += 1;
      return;
    }
    this.counts.failed += 1;
    this.failures.push({ episodeId: job.episodeId, error });
  }

  skipped(): void {
    this.counts.skipped += 1;
  }

  outcome(stopping: boolean): RunOutcome {
    return stopping ? 'interrupted' : this.counts.failed ? 'failed' : 'completed';
  }

  async runEnded(outcome: RunOutcome): Promise<void> {
    await this.store.journal({ event: 'run-ended', pid: process.pid, outcome, done: this.counts.done, failed: this.counts.failed });
  }

  /** The numbers a progress bar shows now. */
  snapshot(): ProgressSnapshot {
    const { done, failed, skipped, running, tokens, costUsd } = this.counts;
    const perHour = done / Math.max(this.wallMs / 3_600_000, 1e-9);
    const left = this.total - this.alreadyDone - done - failed - skipped;
    return {
      total: this.total,
      done: this.alreadyDone + done,
      failed,
      running,
      tokens,
      costUsd,
      perHour: done ? perHour : 0,
      etaSeconds: done ? (left / perHour) * 3600 : undefined,
    };
  }
}
