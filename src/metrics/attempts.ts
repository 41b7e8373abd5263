/**
 * Best Attempt@k and Best Submission@k over the k runs of a model on a task. MLGym's Best Attempt
 * (get_ranks.py::process_task_results) is the best of every evaluation, splits mixed; labgym's default takes, per
 * run, the test score of the attempt with the best validation score. Best Submission: the best last score.
 */

import { type ScoredAttempt, selectBestAttempt } from '../eval/best-attempt.js';
import type { Direction } from './profiles.js';

/** The successful evaluations of one run, in order (validate scores, then the final one if it succeeded). */
export type RunScores = readonly number[];

/** How Best Attempt picks a run's score: the validation-selected attempt's test score, or MLGym's best over all. */
export type BestAttemptRule = 'validation-selected' | 'mlgym';

/** One attempt (a validated or submitted artifact) scored on both splits. */
export type SplitScores = ScoredAttempt;

const better = (direction: Direction) => (a: number, b: number) => (direction === 'maximize' ? Math.max(a, b) : Math.min(a, b));

/** undefined when no run has a score (MLGym: NaN). */
export function bestAttempt(runs: readonly RunScores[], direction: Direction): number | undefined {
  const scores = runs.flat().filter(Number.isFinite);
  return scores.length ? scores.reduce(better(direction)) : undefined;
}

export function bestSubmission(runs: readonly RunScores[], direction: Direction): number | undefined {
  const lasts = runs
    .filter((run) => run.length)
    .map((run) => run.at(-1)!)
    .filter(Number.isFinite);
  return lasts.length ? lasts.reduce(better(direction)) : undefined;
}

/** The attempt whose validation score is best (ties: the later one): one rule with the episode record's `scores.best`. */
export const validationSelectedAttempt = selectBestAttempt;

/** Whether a run's attempts were scored on both splits (version 1 records and MLGym imports were not). */
export function hasSplitScores(attempts: readonly SplitScores[]): boolean {
  return attempts.some((attempt) => attempt.validationScore !== undefined && attempt.testScore !== undefined);
}
