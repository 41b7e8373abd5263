/**
 * AUP, performance profiles and rankings on hand-built cases. The expected numbers were worked out by hand
 * (in the comments): grid h = τ_max/499, and a point τ_i = i·h counts once i ≥ log10(r)/h.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bestAttempt, bestSubmission, computeAup, rankings, type TaskScores, taskRatios } from '../../src/metrics/index.js';

const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} ${actual} != ${expected}`);

// Task 1 (maximise, baseline 0.5): A 1.0, B 0.8. Feasible: A, B, baseline. best 1.0, worst 0.5 → r_max 2;
//   ratios A 1, B 1.25, baseline 2.
// Task 2 (minimise, baseline 4): A 2, B has no run. Feasible: A, baseline. best 2, worst 4 → r_max 2;
//   ratios A 1, baseline 2, B (1.05)·2 = 2.1.
// τ_max: ceil(1.05·2) = 3 for both tasks → ceil(10·log10 3)/10 = ceil(4.77)/10 = 0.5.
const twoTasks: TaskScores[] = [
  { task: 'classify', direction: 'maximize', baseline: 0.5, scores: { A: 1.0, B: 0.8 } },
  { task: 'loss', direction: 'minimize', baseline: 4, scores: { A: 2, B: undefined } },
];

describe('performance ratios', () => {
  test('maximise and minimise tasks, a missing run', () => {
    const [classify, loss] = twoTasks.map((task) => taskRatios(task, ['A', 'B', 'baseline']));
    assert.equal(classify!.rMax, 2);
    assert.deepEqual(classify!.ratios, { A: 1, B: 1.25, baseline: 2 });
    assert.equal(loss!.rMax, 2);
    close(loss!.ratios.B!, 2.1, 'missing run: (1+ε)·r_max');
    assert.deepEqual({ A: loss!.ratios.A, baseline: loss!.ratios.baseline }, { A: 1, baseline: 2 });
  });

  test('a score worse than the baseline is infeasible', () => {
    // minimise, baseline 10: A 12 is worse → infeasible; B 5 feasible. best 5, worst 10 → r_max 2, A gets 2.1.
    const ratios = taskRatios({ task: 't', direction: 'minimize', baseline: 10, scores: { A: 12, B: 5 } }, ['A', 'B', 'baseline']);
    assert.equal(ratios.rMax, 2);
    close(ratios.ratios.A!, 2.1);
    assert.equal(ratios.ratios.B, 1);
    assert.equal(ratios.ratios.baseline, 2);
  });
});

describe('AUP', () => {
  test('two tasks, data-dependent τ_max', () => {
    const result = computeAup(twoTasks, ['A', 'B']);
    assert.equal(result.tauMax, 0.5);
    assert.equal(result.grid.length, 500);
    // A: log10 ratios [0, 0] → ρ = 1 everywhere → 499·h = 0.5.
    assert.equal(result.aup.A, 0.5);
    // B: log10 1.25 = 0.0969 → i ≥ 96.7·… i.e. i ≥ 97; log10 2.1 = 0.3222 → i ≥ 322.
    //   ρ = 0.5 for i in 97..321 (225 points), 1 for i in 322..498 (177 points): (112.5 + 177)·0.5/499 = 0.29008 → 0.290.
    assert.equal(result.aup.B, 0.29);
    // baseline: log10 2 = 0.30103 on both → i ≥ 301 → 198 points · 0.5/499 = 0.19840 → 0.198.
    assert.equal(result.aup.baseline, 0.198);
    assert.equal(result.profiles.B![0], 0);
    assert.equal(result.profiles.B![200], 0.5);
    assert.equal(result.profiles.B![499], 1);
  });

  test('a negative baseline (as Blotto): the baseline and negative scores are infeasible', () => {
    // maximise, baseline −0.25: A 0.3, B −0.1, C 0.1. Feasible: A, C. best 0.3, worst 0.1 → r_max 3.
    // Ratios A 1, C 3, B = baseline = 3.15. τ_max: ceil(3.15) = 4 → ceil(6.02)/10 = 0.7, h = 0.7/499.
    const result = computeAup([{ task: 'blotto', direction: 'maximize', baseline: -0.25, scores: { A: 0.3, B: -0.1, C: 0.1 } }], ['A', 'B', 'C']);
    assert.equal(result.tauMax, 0.7);
    assert.equal(result.aup.A, 0.7);
    // C: log10 3 = 0.47712 → i ≥ 340.1 → 158 points · 0.7/499 = 0.22164 → 0.222.
    assert.equal(result.aup.C, 0.222);
    // B and baseline: log10 3.15 = 0.49831 → i ≥ 355.2 → 143 points · 0.7/499 = 0.20060 → 0.201.
    assert.equal(result.aup.B, 0.201);
    assert.equal(result.aup.baseline, 0.201);
  });

  test('a fixed τ_max makes AUP comparable across runs', () => {
    // τ_max 1, h = 1/499: A → 1.0; baseline: log10 2 → i ≥ 150.2 → 348 points → 0.697.
    const result = computeAup(twoTasks, ['A', 'B'], { tauMax: 1 });
    assert.equal(result.tauMax, 1);
    assert.equal(result.aup.A, 1);
    assert.equal(result.aup.baseline, 0.697);
  });

  test('τ_max over several tables (MLGym: best attempt and best submission)', () => {
    const lastScores: TaskScores[] = [{ task: 'classify', direction: 'maximize', baseline: 0.5, scores: { A: 0.05, B: 0.8 } }];
    // This table is infeasible for A (below baseline) but B 0.8 vs baseline 0.5 gives r_max 1.6 → ceil(1.68) = 2;
    // the first table's 3 still dominates → τ_max 0.5.
    assert.equal(computeAup(lastScores, ['A', 'B'], { tauMaxTables: [twoTasks, lastScores] }).tauMax, 0.5);
    assert.equal(computeAup(lastScores, ['A', 'B']).tauMax, 0.4); // alone: ceil(10·log10 2)/10 = ceil(3.01)/10
  });
});

describe('rankings', () => {
  test('mean rank and Borda, a missing run ranked last', () => {
    const withBaseline = twoTasks.map((task) => ({ ...task, scores: { ...task.scores, baseline: task.baseline } }));
    // classify: A, B, baseline. loss (minimise): A 2, baseline 4, B missing → A, baseline, B.
    const { meanRank, borda } = rankings(withBaseline, ['A', 'B', 'baseline']);
    assert.deepEqual(meanRank, { A: 1, B: 2.5, baseline: 2.5 });
    assert.deepEqual(borda, { A: 6, B: 3, baseline: 3 });
  });
});

describe('best attempt and best submission', () => {
  test('over runs, by direction; no scores gives undefined', () => {
    assert.equal(bestAttempt([[0.5, 0.9, 0.6], [0.7], []], 'maximize'), 0.9);
    assert.equal(bestSubmission([[0.5, 0.9, 0.6], [0.7], []], 'maximize'), 0.7);
    assert.equal(bestAttempt([[3, 1, 2], [4]], 'minimize'), 1);
    assert.equal(bestSubmission([[3, 1, 2], [4]], 'minimize'), 2);
    assert.equal(bestAttempt([[], []], 'maximize'), undefined);
    assert.equal(bestSubmission([], 'minimize'), undefined);
  });
});
