/** scoresOf on hand-built step records: both splits' scores per attempt, and the Best Attempt under each rule. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoresOf } from '../../src/agent/index.js';
import type { StepRecord } from '../../src/store/index.js';

type Evaluation = NonNullable<StepRecord['evaluation']>;

function step(index: number, evaluation?: Partial<Evaluation>): StepRecord {
  return {
    index,
    response: '',
    thought: '',
    action: evaluation ? (evaluation.kind === 'validate' ? 'validate' : 'submit') : 'ls',
    observation: '',
    reward: 0,
    terminated: false,
    truncated: false,
    requeries: [],
    executionMs: 1,
    ...(evaluation
      ? {
          evaluation: {
            kind: 'validate',
            split: 'validation',
            metrics: {},
            primaryMetric: 'accuracy',
            direction: 'maximize',
            baseline: 0.5,
            durationMs: 1,
            evaluatorHash: 'h',
            ...evaluation,
          },
        }
      : {}),
  };
}

const validate = (index: number, validation: number, test: number) =>
  step(index, {
    kind: 'validate',
    split: 'validation',
    metrics: { accuracy: validation },
    score: validation,
    otherSplit: { split: 'test', metrics: { accuracy: test }, score: test },
  });
const submit = (index: number, test: number, validation: number) =>
  step(index, {
    kind: 'submit',
    split: 'test',
    metrics: { accuracy: test },
    score: test,
    otherSplit: { split: 'validation', metrics: { accuracy: validation }, score: validation },
  });

test('split-aware: best is the test score of the best validation, not the best test score', () => {
  // The second attempt validates best (0.80) but tests worse (0.70) than the first (0.75 / 0.78) and the final (0.77 / 0.79).
  const scores = scoresOf([step(1), validate(2, 0.75, 0.78), validate(3, 0.8, 0.7), step(4), submit(5, 0.79, 0.77)]);
  assert.deepEqual(
    scores.validations.map((entry) => [entry.step, entry.validationScore, entry.testScore]),
    [
      [2, 0.75, 0.78],
      [3, 0.8, 0.7],
    ],
  );
  assert.equal(scores.final?.testScore, 0.79);
  assert.equal(scores.final?.validationScore, 0.77);
  assert.equal(scores.final?.score, 0.79);
  assert.equal(scores.bestRule, 'validation-selected');
  assert.equal(scores.best, 0.7);
});

test('split-aware: the final attempt wins when it validates best; a tie goes to the later attempt', () => {
  assert.equal(scoresOf([validate(1, 0.75, 0.78), submit(2, 0.6, 0.9)]).best, 0.6);
  assert.equal(scoresOf([validate(1, 0.9, 0.78), submit(2, 0.6, 0.9)]).best, 0.6);
  assert.equal(scoresOf([validate(1, 0.9, 0.78), validate(2, 0.9, 0.71)]).best, 0.71, 'no final score: the validations alone');
});

test('MLGym rule: without otherSplit, the best over every evaluation', () => {
  const mlgym = (index: number, kind: 'validate' | 'submit', value: number) => step(index, { kind, split: 'test', metrics: { accuracy: value }, score: value });
  const scores = scoresOf([mlgym(1, 'validate', 0.8), mlgym(2, 'validate', 0.7), mlgym(3, 'submit', 0.75)]);
  assert.equal(scores.bestRule, 'mlgym');
  assert.equal(scores.best, 0.8);
  assert.deepEqual(
    scores.validations.map((entry) => [entry.validationScore, entry.testScore]),
    [
      [undefined, 0.8],
      [undefined, 0.7],
    ],
    'validate scored the test split in MLGym mode',
  );
  assert.equal(scores.final?.testScore, 0.75);
});

test('minimize picks the lowest validation', () => {
  const min = (index: number, validation: number, test: number) => {
    const record = validate(index, validation, test);
    return { ...record, evaluation: { ...record.evaluation!, direction: 'minimize' as const } };
  };
  assert.equal(scoresOf([min(1, 2, 5), min(2, 1, 9), min(3, 3, 1)]).best, 9);
});

test('no evaluations: no best and no rule', () => {
  const scores = scoresOf([step(1), step(2)]);
  assert.deepEqual(scores, { validations: [] });
});
