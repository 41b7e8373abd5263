/** selectBestAttempt: the attempt with the best validation score wins, whatever its test score; ties go to the later one. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestScore, selectBestAttempt } from '../../src/eval/index.js';

const attempts = [
  { name: 'a', validationScore: 0.7, testScore: 0.9 },
  { name: 'b', validationScore: 0.8, testScore: 0.6 },
  { name: 'c', validationScore: 0.5, testScore: 0.95 },
];

test('maximize: the best validation is chosen, not the best test', () => {
  assert.equal(selectBestAttempt(attempts, 'maximize')?.name, 'b');
});

test('minimize: the lowest validation is chosen', () => {
  assert.equal(selectBestAttempt(attempts, 'minimize')?.name, 'c');
});

test('a tie goes to the later attempt', () => {
  const tied = [
    { name: 'first', validationScore: 1, testScore: 3 },
    { name: 'second', validationScore: 1, testScore: 2 },
  ];
  assert.equal(selectBestAttempt(tied, 'maximize')?.name, 'second');
  assert.equal(selectBestAttempt(tied, 'minimize')?.name, 'second');
});

test('attempts without a validation score cannot be chosen; none at all gives undefined', () => {
  const partial = [
    { name: 'failed', testScore: 10 },
    { name: 'scored', validationScore: -1, testScore: 1 },
  ];
  assert.equal(selectBestAttempt(partial, 'maximize')?.name, 'scored');
  assert.equal(selectBestAttempt([{ testScore: 10 }], 'maximize'), undefined);
  assert.equal(selectBestAttempt([], 'maximize'), undefined);
});

test("bestScore is MLGym's best over every score", () => {
  assert.equal(bestScore([0.7, 0.8, 0.5], 'maximize'), 0.8);
  assert.equal(bestScore([0.7, 0.8, 0.5], 'minimize'), 0.5);
  assert.equal(bestScore([], 'maximize'), undefined);
});
