/**
 * fashionMnist: the evaluator scores submission.csv (id, label) on the split's rows and rejects a malformed
 * submission (wrong columns, missing ids, non-integer labels) with a clear message and no score.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import type { EvaluationKind } from '../../src/eval/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

describe('fashionMnist evaluator', () => {
  const env = new LabgymEnv();
  let task: ResolvedTask;
  after(() => env.close());

  before(async () => {
    task = await resolveTask('fashionMnist', { scale: 'reduced' });
    await env.reset({ task: task.envTask, seed: 0 });
  });

  /** Write submission.csv in the agent's sandbox with a Python snippet, then score it. */
  async function score(python: string, kind: EvaluationKind = 'validate') {
    const sandbox = env.currentSandbox!;
    const written = await sandbox.exec(
      `rm -f submission.csv && python3 - <<'EOF'\nimport pandas as pd\nsample = pd.read_csv("data/sample_submission.csv")\n${python}\nEOF`,
      { timeoutMs: 60_000 },
    );
    assert.equal(written.exitCode, 0, written.output);
    return task.evaluator.evaluate({ kind, agentSandbox: sandbox });
  }

  test('a submission in the sample format is scored on each split', async () => {
    const validation = await score('sample.to_csv("submission.csv", index=False)');
    const test_ = await score('sample.to_csv("submission.csv", index=False)', 'submit');
    assert.equal(validation.split, 'validation');
    assert.equal(test_.split, 'test');
    for (const record of [validation, test_]) {
      assert.equal(record.failure, undefined, record.failure?.message);
      assert.ok(record.score! > 0.05 && record.score! < 0.15, `always predicting class 0 scores ${record.score}`);
    }
  });

  test('wrong columns fail with a message naming the missing column, and no score', async () => {
    const result = await score('sample.rename(columns={"label": "prediction"}).to_csv("submission.csv", index=False)');
    assert.equal(result.score, undefined);
    assert.deepEqual(result.metrics, {});
    assert.match(result.failure?.message ?? '', /submission\.csv lacks the column\(s\) label; it needs id and label/);
  });

  test('missing ids fail with the number of images left out', async () => {
    const result = await score('sample.head(100).to_csv("submission.csv", index=False)');
    assert.equal(result.score, undefined);
    assert.match(result.failure?.message ?? '', /submission\.csv has no prediction for \d+ images of test_images\.npy \(e\.g\. id \d+\)/);
  });

  test('labels that are not integers fail clearly', async () => {
    const result = await score('sample.assign(label="shirt").to_csv("submission.csv", index=False)');
    assert.equal(result.score, undefined);
    assert.match(result.failure?.message ?? '', /column label must hold integers \(line 2 has 'shirt'\)/);
  });

  test('no submission.csv at all is reported as such', async () => {
    const result = await score('pass');
    assert.equal(result.failure?.type, 'submission_not_found');
  });
});
