/**
 * Rewards recomputed from a stored episode with the env's own rule (RewardTracker), whatever the record's source
 * (MLGym imports store 0), with optional shaping penalties for format errors and timed-out commands.
 */

import { RewardTracker } from '../eval/reward.js';
import { normalizedImprovement } from '../metrics/index.js';
import type { EpisodeRecord, StepRecord } from '../store/index.js';

export interface RewardShaping {
  /** Subtracted per re-query (a model output that could not be parsed). @default 0 */
  readonly formatErrorPenalty?: number;
  /** Subtracted per step whose command timed out. @default 0 */
  readonly timeoutPenalty?: number;
  /** Discount for the return-to-go. @default 1 */
  readonly gamma?: number;
}

/** The step's command was killed by its total or no-output timeout (version 1 records: derived on read). */
export function stepTimedOut(step: StepRecord): boolean {
  return Boolean(step.timedOut);
}

/** The baseline and direction the rewards are measured against; undefined when the record lacks them. */
function reference(record: EpisodeRecord): { baseline: number; direction: 'maximize' | 'minimize' } | undefined {
  const { baseline, direction } = record.scores;
  return baseline === undefined ? undefined : { baseline, direction: direction ?? 'maximize' };
}

/** Validation scores by step index (from the step's evaluation record, or the stored validation entries). */
function validationScores(record: EpisodeRecord): Map<number, number> {
  const scores = new Map<number, number>();
  for (const entry of record.scores.validations) if (entry.step !== undefined && entry.score !== undefined) scores.set(entry.step, entry.score);
  for (const step of record.steps) {
    const evaluation = step.evaluation;
    if (evaluation?.kind === 'validate' && evaluation.score !== undefined) scores.set(step.index, evaluation.score);
  }
  return scores;
}

/**
 * One reward per step, in step order: a validate step earns the rise of the best normalised improvement so far, the
 * final step the normalised improvement of the held-out score; shaping subtracts penalties for format errors
 * (re-queries) and timed-out commands (the step's `timedOut`).
 */
export function stepRewards(record: EpisodeRecord, shaping: RewardShaping = {}): number[] {
  const ref = reference(record);
  const validations = validationScores(record);
  const improvementOf = (score: number | undefined) => (ref && score !== undefined ? normalizedImprovement(score, ref.baseline, ref.direction) : undefined);
  const tracker = new RewardTracker();
  return record.steps.map((step, i) => {
    let reward = tracker.validation(improvementOf(validations.get(step.index)));
    if (i === record.steps.length - 1) reward += tracker.final(improvementOf(record.scores.final?.score));
    reward -= (shaping.formatErrorPenalty ?? 0) * step.requeries.length;
    if (stepTimedOut(step)) reward -= shaping.timeoutPenalty ?? 0;
    return reward;
  });
}

/** Σ_{k≥t} γ^{k−t} r_k for each t. */
export function returnsToGo(rewards: readonly number[], gamma = 1): number[] {
  const out = new Array<number>(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    running = rewards[t]! + gamma * running;
    out[t] = running;
  }
  return out;
}

/** The episode's held-out improvement over the baseline (undefined without a final score or baseline). */
export function finalImprovement(record: EpisodeRecord): number | undefined {
  const ref = reference(record);
  const score = record.scores.final?.score;
  return ref && score !== undefined ? normalizedImprovement(score, ref.baseline, ref.direction) : undefined;
}
