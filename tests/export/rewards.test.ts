/** Rewards from validate deltas and the held-out score, shaping penalties, return-to-go; hand-worked. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { returnsToGo, stepRewards, stepTimedOut } from '../../src/export/index.js';
import { episode, withFinal } from './helpers.js';

const close = (actual: readonly number[], expected: readonly number[]) => {
  assert.equal(actual.length, expected.length, `${actual.length} values (${actual.join(', ')}), expected ${expected.length}`);
  for (const [i, value] of actual.entries()) assert.ok(Math.abs(value - expected[i]!) < 1e-9, `[${i}] ${value} != ${expected[i]} (${actual.join(', ')})`);
};

describe('rewards', () => {
  test('validate steps earn the rise of the best normalised improvement; the last step the held-out improvement', () => {
    // baseline 2 (maximise), 5 steps: validate 2.2 (+0.1), validate 2.1 (no new best: 0), validate 2.6 (best 0.3 → +0.2), final 3.0 (+0.5).
    const record = episode(0, (r) => {
      r.scores.baseline = 2;
      r.steps = [1, 2, 3, 4, 5].map((index) => ({ ...r.steps[0]!, index, action: 'validate', observation: 'ok', requeries: [] }));
      r.scores.validations = [
        { step: 2, score: 2.2, metrics: {} },
        { step: 3, score: 2.1, metrics: {} },
        { step: 4, score: 2.6, metrics: {} },
      ];
      withFinal(r, 3.0);
    });
    close(stepRewards(record), [0, 0.1, 0, 0.2, 0.5]);
  });

  test('minimised metrics, scores below the baseline earn nothing, shaping penalties', () => {
    const record = episode(0, (r) => {
      r.scores.baseline = 10;
      r.scores.direction = 'minimize';
      r.steps = [1, 2, 3].map((index) => ({ ...r.steps[0]!, index, observation: 'ok', requeries: [] }));
      r.steps[0]!.requeries = [
        { response: 'x', formatError: 'no command' },
        { response: 'y', formatError: 'no command' },
      ];
      r.steps[1]!.timedOut = 'total';
      r.scores.validations = [
        { step: 1, score: 12, metrics: {} }, // worse than the baseline: 0
        { step: 2, score: 8, metrics: {} }, // 20 % better: +0.2
      ];
      withFinal(r, 9); // final: +0.1
    });
    close(stepRewards(record), [0, 0.2, 0.1]);
    close(stepRewards(record, { formatErrorPenalty: 0.05, timeoutPenalty: 0.3 }), [-0.1, -0.1, 0.1]);
  });

  test('the timeout penalty follows the recorded timedOut, not the observation text', () => {
    const record = episode(0, (r) => {
      delete r.scores.baseline;
      r.steps = [1, 2, 3].map((index) => ({ ...r.steps[0]!, index, observation: 'ok', requeries: [] }));
      // The agent printed the marker itself; the command finished in time.
      r.steps[0]!.observation = 'cat log.txt\nEXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN 60 SECONDS.';
      r.steps[0]!.timedOut = false;
      // Killed for printing nothing for too long; the observation says nothing about it.
      r.steps[1]!.observation = 'epoch 1 done';
      r.steps[1]!.timedOut = 'idle';
    });
    assert.deepEqual(record.steps.map(stepTimedOut), [false, true, false]);
    close(stepRewards(record, { timeoutPenalty: 0.25 }), [0, -0.25, 0]);
  });

  test('no baseline: only shaping; return-to-go with and without discount', () => {
    const record = episode(0, (r) => {
      delete r.scores.baseline;
      r.steps[0]!.requeries = [{ response: 'x', formatError: 'e' }];
    });
    close(stepRewards(record, { formatErrorPenalty: 1 }), [-1, 0, 0, 0]);
    close(returnsToGo([1, 0, 2]), [3, 2, 2]);
    close(returnsToGo([1, 0, 2], 0.5), [1.5, 1, 2]);
  });
});
