/**
 * Best Attempt@k and Best Submission@k (MLGym's get_ranks.py::process_task_results): over the k runs of a model
 * on a task, the best of each run's best score, and the best of each run's last successful score.
 */

import type { Direction } from './profiles.js';

/** The successful evaluations of one run, in order (validate scores, then the final one if it succeeded). */
export type RunScores = readonly number[];

const better = (direction: Direction) => (a: number, b: number) => (direction === 'maximize' ? Math.max(a, b) : Math.min(a, b));

/** undefined when no run has a score (MLGym: NaN). */
export function bestAttempt(runs: readonly RunScores[], direction: Direction): number | undefined {
  const scores = runs.flat().filter(Number.isFinite);
  return scores.length ? scores.reduce(better(direction)) : undefined;
}

export function bestSubmission(runs: readonly RunScores[], direction: Direction): number | undefined {
  const lasts = runs.filter((run) => run.length).map((run) => run.at(-1)!).filter(Number.isFinite);
  return lasts.length ? lasts.reduce(better(direction)) : undefined;
}

// The evaluation record's definition (a pure function; eval/evaluator.ts imports only types).
export { normalizedImprovement } from '../eval/evaluator.js';
