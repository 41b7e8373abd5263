/**
 * Best Attempt, split-aware: the attempt whose validation score is best is chosen, and its test score reported,
 * so the held-out split never picks the winner. Pure: no sandbox, no I/O.
 */

import type { MetricDirection } from './evaluator.js';

/** One scored attempt (a validate or final evaluation): its primary score on each split that scored it. */
export interface ScoredAttempt {
  readonly validationScore?: number;
  readonly testScore?: number;
}

/** Whether `candidate` beats `current` in `direction`; a tie goes to the candidate (the later attempt). */
function atLeastAsGood(candidate: number, current: number, direction: MetricDirection): boolean {
  return direction === 'minimize' ? candidate <= current : candidate >= current;
}

/**
 * The attempt with the best validation score (ties: the later one), or undefined when none has one. Its
 * `testScore` is the episode's split-aware best; it may be undefined when that attempt's test evaluation failed.
 */
export function selectBestAttempt<T extends ScoredAttempt>(attempts: readonly T[], direction: MetricDirection): T | undefined {
  let best: T | undefined;
  for (const attempt of attempts) {
    if (attempt.validationScore === undefined || !Number.isFinite(attempt.validationScore)) continue;
    if (best === undefined || atLeastAsGood(attempt.validationScore, best.validationScore!, direction)) best = attempt;
  }
  return best;
}

/** MLGym's Best Attempt: the best primary score over every evaluation, whatever split scored it. */
export function bestScore(scores: readonly number[], direction: MetricDirection): number | undefined {
  if (scores.length === 0) return undefined;
  return direction === 'minimize' ? Math.min(...scores) : Math.max(...scores);
}
