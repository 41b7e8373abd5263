/** Every filter predicate, dedup on crafted near-duplicates, percentile, top-k, balancing, --where parsing, the pipeline's counts. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  balanceTasks,
  dedupActions,
  type EpisodeSummary,
  exitStatusIn,
  improvementAtLeast,
  integrityClean,
  normalizeCommand,
  parseWhere,
  percentileAtLeast,
  type RecordFilter,
  relativeImprovementAtLeast,
  scoreBound,
  selectEpisodes,
  stepBound,
  submittedOnly,
  summarize,
  tokenBound,
  topKPerTask,
} from '../../src/export/index.js';
import type { EpisodeRecord } from '../../src/store/index.js';
import { episode, withFinal, writeRun } from './helpers.js';

// Synthetic episode i is task `task${i % 8}` with baseline 1 + (i % 8)/10; task0 has baseline 1.
const task0 = (i: number, patch: (r: EpisodeRecord) => void = () => {}) => episode(i * 8, patch);

describe('record filters', () => {
  test('improvement over the baseline: absolute (direction-aware) and relative', () => {
    const up = task0(0, (r) => withFinal(r, 1.25)); // baseline 1 → +0.25 absolute, +25 %
    const down = task0(1, (r) => withFinal(r, 0.9));
    const none = task0(2, (r) => withFinal(r, undefined));
    const minimise = task0(3, (r) => {
      r.scores.direction = 'minimize';
      withFinal(r, 0.7); // lower is better: +0.3
    });
    /** parseWhere of a per-record predicate (its union type also covers set filters). */
    const parsed = (text: string) => parseWhere(text) as RecordFilter;
    const absolute = improvementAtLeast('>=', 0.2);
    assert.deepEqual(
      [up, down, none, minimise].map((r) => absolute.keep(r)),
      [true, false, false, true],
    );
    const relative = relativeImprovementAtLeast('>', 0.25);
    assert.deepEqual(
      [up, down, none, minimise].map((r) => relative.keep(r)),
      [false, false, false, true],
    );
    assert.equal(parsed('improvement>=20%').keep(up), true);
    assert.equal(parsed('improvement>=26%').keep(up), false);
    assert.equal(scoreBound('<', 1).keep(down), true);
  });

  test('exit status, submitted only, step and token bounds, integrity', () => {
    const submitted = task0(0);
    const auto = task0(1, (r) => (r.exitStatus = 'autosubmission (max_steps)'));
    assert.deepEqual(
      [submitted, auto].map((r) => submittedOnly().keep(r)),
      [true, false],
    );
    assert.deepEqual(
      [submitted, auto].map((r) => exitStatusIn(['autosubmission (max_steps)', 'x']).keep(r)),
      [false, true],
    );
    assert.equal((parseWhere('exit=submitted,autosubmission (max_steps)') as RecordFilter).keep(auto), true);

    assert.equal(submitted.steps.length, 4);
    assert.deepEqual(
      [stepBound('<=', 4), stepBound('<', 4), stepBound('>=', 5)].map((f) => f.keep(submitted)),
      [true, false, false],
    );
    const tokens = submitted.usage.totalTokens;
    assert.deepEqual(
      [tokenBound('<=', tokens), tokenBound('<', tokens)].map((f) => f.keep(submitted)),
      [true, false],
    );

    const inside = task0(2, (r) => (r.integrity.evaluatedOutsideAgentSandbox = false));
    const twoEvaluators = task0(3, (r) => r.integrity.evaluatorHashes.push('sha256:other'));
    const unscored = task0(4, (r) => (r.integrity.evaluatorHashes = []));
    assert.deepEqual(
      [submitted, inside, twoEvaluators, unscored].map((r) => integrityClean().keep(r)),
      [true, false, false, false],
    );
  });
});

const summary = (id: string, taskId: string, score: number | undefined, actions = id, direction: 'maximize' | 'minimize' = 'maximize'): EpisodeSummary => ({
  episodeId: id,
  taskId,
  model: 'm',
  seed: 0,
  score,
  direction,
  actionsKey: `${taskId}:${actions}`,
});

describe('set filters', () => {
  test('dedup: near-identical action sequences (whitespace, quotes, case) collapse to the best-scored', () => {
    assert.equal(normalizeCommand('  ls   -la\n'), normalizeCommand('LS "-la"'));
    assert.notEqual(normalizeCommand('python train.py --lr 1'), normalizeCommand('python train.py --lr 2'));
    const base = task0(0, (r) => withFinal(r, 1.1));
    const near = task0(1, (r) => {
      r.steps = base.steps.map((step) => ({ ...step, action: `  ${step.action.toUpperCase().replaceAll(' ', '   ')}\n` }));
      r.steps.push({ ...r.steps.at(-1)!, index: 5, action: 'exit_format' }); // pseudo-actions do not count
      withFinal(r, 1.3);
    });
    const different = task0(2, (r) => {
      r.steps = base.steps.map((step, i) => ({ ...step, action: i === 0 ? 'python train.py --epochs 99' : step.action }));
    });
    const otherTask = episode(1, (r) => (r.steps = base.steps.map((step) => ({ ...step }))));
    const summaries = [base, near, different, otherTask].map(summarize);
    assert.equal(summaries[0]!.actionsKey, summaries[1]!.actionsKey);
    assert.notEqual(summaries[0]!.actionsKey, summaries[2]!.actionsKey);
    assert.notEqual(summaries[0]!.actionsKey, summaries[3]!.actionsKey, 'same actions on another task are not duplicates');
    assert.deepEqual(
      dedupActions()
        .select(summaries)
        .map((s) => s.episodeId),
      [near.episodeId, different.episodeId, otherTask.episodeId],
    );
  });

  const pool = [
    summary('a1', 'a', 0.5),
    summary('a2', 'a', 0.9),
    summary('a3', 'a', 0.7),
    summary('a4', 'a', undefined),
    summary('b1', 'b', 3, 'b1', 'minimize'),
    summary('b2', 'b', 1, 'b2', 'minimize'),
  ];

  test('score percentile within a task (100 = best; minimised metrics flip)', () => {
    // task a: 4 episodes; a2 beats-or-ties 3 of 4 → 75, a3 → 50, a1 → 25, a4 (no score) → 0. task b: b2 → 100, b1 → 50.
    assert.deepEqual(
      percentileAtLeast('>=', 50)
        .select(pool)
        .map((s) => s.episodeId),
      ['a2', 'a3', 'b1', 'b2'],
    );
    assert.deepEqual(
      percentileAtLeast('>', 50)
        .select(pool)
        .map((s) => s.episodeId),
      ['a2', 'b2'],
    );
  });

  test('top-k per task keeps the best k of each task, in store order', () => {
    assert.deepEqual(
      topKPerTask(2)
        .select(pool)
        .map((s) => s.episodeId),
      ['a2', 'a3', 'b1', 'b2'],
    );
    assert.deepEqual(
      topKPerTask(1)
        .select(pool)
        .map((s) => s.episodeId),
      ['a2', 'b2'],
    );
  });

  test('balancing caps every task at the smallest task’s count (or N), keeping the best', () => {
    assert.deepEqual(
      balanceTasks()
        .select(pool)
        .map((s) => s.episodeId),
      ['a2', 'a3', 'b1', 'b2'],
    );
    assert.deepEqual(
      balanceTasks(3)
        .select(pool)
        .map((s) => s.episodeId),
      ['a1', 'a2', 'a3', 'b1', 'b2'],
    );
  });
});

describe('--where and the pipeline', () => {
  test('bad --where expressions are one clear error', () => {
    assert.throws(() => parseWhere('improvement'), /--where "improvement": improvement needs >=/);
    assert.throws(() => parseWhere('steps<=many'), /expected a number/);
    assert.throws(() => parseWhere('top-k=0'), /positive integer/);
    assert.throws(() => parseWhere('colour=red'), /unknown filter "colour"/);
    assert.throws(() => parseWhere('dedup=1'), /takes no value/);
  });

  test('counts per filter: record filters first, then set filters; records stream in store order', async () => {
    const records = Array.from({ length: 16 }, (_, i) => episode(i, (r) => withFinal(r, i % 2 ? r.scores.baseline! + 1 : r.scores.baseline! - 0.5)));
    const run = writeRun(records);
    const selection = await selectEpisodes({ inputs: [run], filters: ['top-k=1', 'improvement>=0'].map(parseWhere) });
    const kept: string[] = [];
    for await (const record of selection.records) kept.push(record.episodeId);
    // Odd episodes improve (8 of 16); tasks of odd episodes: task1,3,5,7, two episodes each (1 and 9, ...) → top-1 keeps 4.
    assert.deepEqual(
      selection.counts.map((c) => [c.name, c.before, c.after]),
      [
        ['improvement>=0', 16, 8],
        ['top-k=1', 8, 4],
      ],
    );
    assert.equal(kept.length, 4);
    assert.deepEqual(
      kept,
      [...kept].sort((a, b) => records.findIndex((r) => r.episodeId === a) - records.findIndex((r) => r.episodeId === b)),
    );
  });
});
