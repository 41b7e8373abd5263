/** Best Attempt: validation-selected by default, MLGym's best-over-everything on request or for records without split scores; hand-worked. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { episodeScoresOf, hasSplitScores, scoreEpisodes, validationSelectedAttempt } from '../../src/metrics/index.js';
import type { EpisodeRecord, ScoreEntry } from '../../src/store/index.js';
import { episode } from '../export/helpers.js';

/** A record of `model` on task "acc" (maximise, baseline 0.5) with these validations and final entry. */
function record(index: number, model: string, validations: ScoreEntry[], final: ScoreEntry, bestRule?: EpisodeRecord['scores']['bestRule']): EpisodeRecord {
  return episode(index, (r) => {
    r.episodeId = `e${index}`;
    r.task.id = 'acc';
    r.model.name = model;
    r.scores = { primaryMetric: 'Score', direction: 'maximize', baseline: 0.5, validations, final, ...(bestRule ? { bestRule } : {}) };
  });
}

// Validate entries: `score` is the validation-split score the agent saw; the final entry's `score` is the test score.
const validate = (step: number, validation: number, test: number): ScoreEntry => ({
  step,
  split: 'validation',
  score: validation,
  metrics: {},
  validationScore: validation,
  testScore: test,
});
const final = (step: number, validation: number, test: number): ScoreEntry => ({
  step,
  split: 'test',
  score: test,
  metrics: {},
  validationScore: validation,
  testScore: test,
});

// Model A, run 1: attempts (validation, test) = (0.7, 0.6), (0.8, 0.65), final (0.75, 0.9).
//   Validation-selected: best validation 0.8 → its test score 0.65. MLGym: max(0.7, 0.8, 0.9) = 0.9.
// Model A, run 2: (0.6, 0.7), final (0.6, 0.62): validation tie → the later attempt, the final → 0.62. MLGym: max(0.6, 0.62) = 0.62.
//   Best Attempt@2 of A: validation-selected max(0.65, 0.62) = 0.65; MLGym max(0.9, 0.62) = 0.9. Best Submission: max(0.9, 0.62) = 0.9.
// Model B (a version 1 record / MLGym import: no split scores): validations 0.55, final 0.58 → 0.58 either way.
// Model C, run MLGym-compatible (bestRule 'mlgym'), split scores present but ignored: (0.9, 0.52), final (0.6, 0.7) → 0.9 either way.
const records = [
  record(0, 'A', [validate(2, 0.7, 0.6), validate(4, 0.8, 0.65)], final(6, 0.75, 0.9)),
  record(1, 'A', [validate(2, 0.6, 0.7)], final(3, 0.6, 0.62)),
  record(2, 'B', [{ step: 2, split: 'validation', score: 0.55, metrics: {} }], { step: 3, split: 'test', score: 0.58, metrics: {} }),
  record(3, 'C', [validate(2, 0.9, 0.52)], final(3, 0.6, 0.7), 'mlgym'),
];

describe('Best Attempt definitions', () => {
  test('validation-selected: the test score of the best-validated attempt, ties to the later one; minimised metrics', () => {
    const testOf = (attempts: { validationScore?: number; testScore?: number }[], direction: 'maximize' | 'minimize') =>
      validationSelectedAttempt(attempts, direction)?.testScore;
    assert.equal(
      testOf(
        [
          { validationScore: 0.7, testScore: 0.6 },
          { validationScore: 0.8, testScore: 0.65 },
          { validationScore: 0.75, testScore: 0.9 },
        ],
        'maximize',
      ),
      0.65,
    );
    assert.equal(
      testOf(
        [
          { validationScore: 0.6, testScore: 0.7 },
          { validationScore: 0.6, testScore: 0.62 },
        ],
        'maximize',
      ),
      0.62,
    );
    // Minimise: validations 2, 1.5, 1.6 → 1.5 is best → its test score 1.9 (not the lowest test score, 1.7).
    assert.equal(
      testOf(
        [
          { validationScore: 2, testScore: 1.8 },
          { validationScore: 1.5, testScore: 1.9 },
          { validationScore: 1.6, testScore: 1.7 },
        ],
        'minimize',
      ),
      1.9,
    );
    // The best-validated attempt's test evaluation failed: no score (the test split never picks another attempt).
    assert.equal(testOf([{ validationScore: 0.9 }, { validationScore: 0.8, testScore: 0.85 }], 'maximize'), undefined);
    assert.equal(validationSelectedAttempt([{ testScore: 0.8 }], 'maximize'), undefined);
    assert.deepEqual(
      [hasSplitScores([{ validationScore: 0.9 }, { testScore: 0.8 }]), hasSplitScores([{ validationScore: 0.9, testScore: 0.8 }])],
      [false, true],
    );
  });

  test('episodeScoresOf: split scores give a validation-selected score, except without them or under bestRule mlgym', () => {
    assert.deepEqual(
      records.map((r) => episodeScoresOf(r).validationSelected),
      [0.65, 0.62, undefined, undefined],
    );
    assert.deepEqual(
      records.map((r) => episodeScoresOf(r).splitAware ?? false),
      [true, true, false, false],
    );
    assert.deepEqual(episodeScoresOf(records[0]!).scores, [0.7, 0.8, 0.9]);
  });

  test('the default table picks the validation-selected test score; mlgym picks the best of everything; Best Submission is the final score', () => {
    const byDefault = scoreEpisodes(records.map(episodeScoresOf));
    assert.equal(byDefault.bestAttemptRule, 'validation-selected');
    assert.equal(byDefault.validationSelectedEpisodes, 2);
    assert.deepEqual(byDefault.bestAttempt.tasks[0]!.scores, { A: 0.65, B: 0.58, C: 0.9 });
    assert.deepEqual(byDefault.bestSubmission.tasks[0]!.scores, { A: 0.9, B: 0.58, C: 0.7 });

    const mlgym = scoreEpisodes(records.map(episodeScoresOf), { bestAttempt: 'mlgym' });
    assert.equal(mlgym.bestAttemptRule, 'mlgym');
    assert.equal(mlgym.validationSelectedEpisodes, 0);
    assert.deepEqual(mlgym.bestAttempt.tasks[0]!.scores, { A: 0.9, B: 0.58, C: 0.9 });
    assert.deepEqual(mlgym.bestSubmission.tasks[0]!.scores, { A: 0.9, B: 0.58, C: 0.7 });
  });
});

describe('records written with the validation-selected rule', () => {
  test('keep their own pick, and never fall back to validation scores when every test score failed', () => {
    // Validations 0.7 and 0.8 (validation split); both hidden test evaluations failed, so the record has no best.
    const failedTests = (index: number) =>
      record(
        index,
        'D',
        [
          { step: 2, split: 'validation', score: 0.7, metrics: {}, validationScore: 0.7 },
          { step: 4, split: 'validation', score: 0.8, metrics: {}, validationScore: 0.8 },
        ],
        { step: 5, split: 'test', score: 0.6, metrics: {}, testScore: 0.6 },
        'validation-selected',
      );
    const scores = episodeScoresOf(failedTests(10));
    assert.equal(scores.splitAware, true);
    assert.equal(scores.validationSelected, undefined, 'not 0.8: a validation score is never a Best Attempt');
    const withBest = failedTests(11);
    withBest.scores.best = 0.6;
    assert.equal(episodeScoresOf(withBest).validationSelected, 0.6, "the record's own best");
  });
});
