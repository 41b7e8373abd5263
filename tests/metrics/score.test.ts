/** From episodes to MLGym's tables: Best Attempt / Best Submission per task and model, AUP on both, ranks; hand-worked. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EpisodeScores, scoreEpisodes } from '../../src/metrics/index.js';

// Task "acc" (maximise, baseline 0.5): A runs [0.6, 0.9] and [0.8, 0.7] → best attempt 0.9, best submission max(0.9, 0.7) = 0.9;
//   B runs [0.4] and [] → best attempt 0.4, best submission 0.4 (infeasible: below the baseline).
// Task "loss" (minimise, baseline 4): A [3, 2.5] → BA 2.5, BS 2.5; B [1, 2] → BA 1, BS 2.
const episodes: EpisodeScores[] = [
  { task: 'acc', model: 'A', direction: 'maximize', baseline: 0.5, scores: [0.6, 0.9] },
  { task: 'acc', model: 'A', direction: 'maximize', baseline: 0.5, scores: [0.8, 0.7] },
  { task: 'acc', model: 'B', direction: 'maximize', baseline: 0.5, scores: [0.4] },
  { task: 'acc', model: 'B', direction: 'maximize', baseline: 0.5, scores: [] },
  { task: 'loss', model: 'A', direction: 'minimize', baseline: 4, scores: [3, 2.5] },
  { task: 'loss', model: 'B', direction: 'minimize', baseline: 4, scores: [1, 2] },
  { task: 'nobase', model: 'A', scores: [1] },
];

describe('score tables', () => {
  const report = scoreEpisodes(episodes);

  test('best attempt and best submission per task and model; tasks without a baseline are left out', () => {
    assert.deepEqual(report.tasks, ['acc', 'loss']);
    assert.deepEqual(report.tasksWithoutBaseline, ['nobase']);
    assert.deepEqual(
      report.bestAttempt.tasks.map((t) => t.scores),
      [
        { A: 0.9, B: 0.4 },
        { A: 2.5, B: 1 },
      ],
    );
    assert.deepEqual(
      report.bestSubmission.tasks.map((t) => t.scores),
      [
        { A: 0.9, B: 0.4 },
        { A: 2.5, B: 2 },
      ],
    );
    assert.deepEqual(report.runs.acc, { A: 2, B: 2 });
  });

  test('τ_max from both tables (MLGym), AUP and ranks', () => {
    // BA acc: feasible A 0.9, baseline 0.5 → r_max 1.8 → ceil(1.89) = 2. BA loss: feasible A 2.5, B 1, baseline 4 → r_max 4 → ceil(4.2) = 5.
    // BS loss: B 2, A 2.5, baseline 4 → r_max 2 → 3. Max 5 → τ_max = ceil(10·log10 5)/10 = ceil(6.99)/10 = 0.7.
    assert.equal(report.tauMax, 0.7);
    // Ranks, best attempt: acc A, baseline, B (0.4); loss B, A, baseline. Mean rank A (1+2)/2, B (3+1)/2, baseline (2+3)/2.
    assert.deepEqual(report.bestAttempt.rankings.meanRank, { A: 1.5, B: 2, baseline: 2.5 });
    assert.deepEqual(report.bestAttempt.rankings.borda, { A: 3 + 2, B: 1 + 3, baseline: 2 + 1 });
    // AUP of A on best attempt: acc ratio 1 (log 0) counts everywhere; loss ratio 2.5 → log10 2.5 = 0.398 → counted from
    // grid index ceil(0.398/(0.7/499)) = 284. Area = 0.7·(1/2·499 + 1/2·(499 − 284))/499 = 0.7·(714/998) = 0.50080 → 0.501.
    assert.equal(report.bestAttempt.aup.aup.A, 0.501);
  });

  test('a fixed τ_max is used as given', () => {
    const fixed = scoreEpisodes(episodes, { tauMax: 2 });
    assert.equal(fixed.tauMax, 2);
    assert.equal(fixed.tauMaxFixed, true);
    assert.equal(fixed.bestAttempt.aup.grid.at(-1), 2);
  });
});
