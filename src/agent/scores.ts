/**
 * The scores of an episode from its steps: baseline, every validation, the final score, and the Best Attempt
 * (validation-selected when the evaluations scored both splits, MLGym's best-over-everything otherwise).
 */

import { bestScore, selectBestAttempt } from '../eval/index.js';
import type { EpisodeRecord, ScoreEntry, StepRecord } from '../store/index.js';

type StoredEvaluation = NonNullable<StepRecord['evaluation']>;

/** The split final evaluations score (the held-out one): named by a final evaluation, or by a validate's otherSplit. */
function testSplitOf(evaluations: readonly StoredEvaluation[]): string {
  const final = evaluations.find((evaluation) => evaluation.kind !== 'validate');
  if (final) return final.split;
  return evaluations.find((evaluation) => evaluation.otherSplit)?.otherSplit?.split ?? 'test';
}

/** One evaluation as a score entry, with its primary score filed under the split that produced it. */
function scoreEntry(step: number, evaluation: StoredEvaluation, testSplit: string): ScoreEntry {
  const bySplit: Partial<Record<'validationScore' | 'testScore', number>> = {};
  for (const scored of [evaluation, ...(evaluation.otherSplit ? [evaluation.otherSplit] : [])]) {
    if (scored.score !== undefined) bySplit[scored.split === testSplit ? 'testScore' : 'validationScore'] = scored.score;
  }
  return {
    step,
    split: evaluation.split,
    metrics: { ...evaluation.metrics },
    ...(evaluation.score !== undefined ? { score: evaluation.score } : {}),
    ...bySplit,
  };
}

/** Baseline, every validation, the final (held-out) score, and the episode's best under its rule. */
export function scoresOf(steps: readonly StepRecord[]): EpisodeRecord['scores'] {
  const evaluated = steps.flatMap((step) => (step.evaluation ? [{ step: step.index, evaluation: step.evaluation }] : []));
  const evaluations = evaluated.map(({ evaluation }) => evaluation);
  const testSplit = testSplitOf(evaluations);
  const validations = evaluated
    .filter(({ evaluation }) => evaluation.kind === 'validate')
    .map(({ step, evaluation }) => scoreEntry(step, evaluation, testSplit));
  const last = evaluated.at(-1);
  const finalAttempt = last && last.evaluation.kind !== 'validate' ? scoreEntry(last.step, last.evaluation, testSplit) : undefined;
  const final = finalAttempt?.score !== undefined ? finalAttempt : undefined;
  const first = evaluations[0];
  const direction = first?.direction ?? 'maximize';
  const splitAware = evaluations.some((evaluation) => evaluation.otherSplit);
  const attempts = [...validations, ...(finalAttempt ? [finalAttempt] : [])];
  const best = splitAware
    ? selectBestAttempt(attempts, direction)?.testScore
    : bestScore(
        attempts.flatMap((attempt) => (attempt.score === undefined ? [] : [attempt.score])),
        direction,
      );
  return {
    ...(first ? { primaryMetric: first.primaryMetric, direction: first.direction } : {}),
    ...(first?.baseline !== undefined ? { baseline: first.baseline } : {}),
    validations,
    ...(final ? { final } : {}),
    ...(best !== undefined ? { best } : {}),
    ...(first ? { bestRule: splitAware ? 'validation-selected' : 'mlgym' } : {}),
  };
}
