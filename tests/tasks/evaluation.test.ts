/**
 * The evaluation record of a catalog task, the MLGym-compatible split flag, glob artifacts and a missing
 * submission, on battleOfSexes (seconds to evaluate at the reduced scale).
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import { SandboxEvaluator } from '../../src/eval/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

describe('evaluating a catalog task', () => {
  const env = new LabgymEnv();
  let task: ResolvedTask;
  let sandbox: Sandbox;
  before(async () => {
    task = await resolveTask('battleOfSexes', { scale: 'reduced' });
    await env.reset({ task: task.envTask });
    sandbox = env.currentSandbox!;
  });
  after(() => env.close());

  test('validate scores the validation split, the final evaluation the held-out test split', async () => {
    const validation = await task.evaluator.evaluate({ kind: 'validate', agentSandbox: sandbox });
    const final = await task.evaluator.evaluate({ kind: 'submit', agentSandbox: sandbox });
    assert.equal(validation.split, 'validation');
    assert.equal(final.split, 'test');
    assert.notEqual(validation.score, final.score, 'different opponent seeds');
    assert.equal(final.kind, 'submit');
    assert.equal(final.primaryMetric, 'Score');
    assert.equal(final.direction, 'maximize');
    assert.equal(final.baseline, task.baseline);
    assert.equal(final.improvement, (final.score! - task.baseline!) / Math.abs(task.baseline!));
    assert.match(final.evaluatorHash, /^[0-9a-f]{16}$/);
    assert.equal(final.submission, '/home/agent/workspace/strategy.py');
    assert.ok(final.durationMs > 0);
    assert.deepEqual(Object.keys(final.metrics), ['Score']);
  });

  test('the MLGym-compatible flag makes validate score the test split', async () => {
    const compatible = await resolveTask('battleOfSexes', { scale: 'reduced', mlgymCompatible: true });
    const validation = await compatible.evaluator.evaluate({ kind: 'validate', agentSandbox: sandbox });
    const final = await task.evaluator.evaluate({ kind: 'submit', agentSandbox: sandbox });
    assert.equal(validation.split, 'test');
    assert.equal(validation.score, final.score);
  });

  test('artifacts are globs; every glob must match a file, or the submission is not found', async () => {
    await sandbox.writeFiles(
      '/home/agent/workspace/run',
      [
        { path: 'a/one.txt', content: '1' },
        { path: 'b/two.txt', content: '2' },
      ],
      { owner: 'agent' },
    );
    const evaluator = (artifacts: string[]) =>
      new SandboxEvaluator({
        image: task.image,
        artifacts,
        files: [],
        command: `python3 -c 'import glob, labgym_eval as lab; lab.write_metrics({"files": len(glob.glob("**/*.*", recursive=True))})'`,
        primaryMetric: 'files',
        direction: 'maximize',
      });
    const found = await evaluator(['run/**/*.txt', 'strategy.py']).evaluate({ kind: 'validate', agentSandbox: sandbox });
    assert.equal(found.score, 3);
    const missing = await evaluator(['run/**/*.txt', 'checkpoints/*.pt']).evaluate({ kind: 'validate', agentSandbox: sandbox });
    assert.equal(missing.failure?.type, 'submission_not_found');
    assert.equal(missing.score, undefined);
  });

  test('an evaluator that reports no metrics is a format error with its output, not a score', async () => {
    const silent = new SandboxEvaluator({
      image: task.image,
      artifacts: ['strategy.py'],
      files: [],
      command: `echo '{"Score": 5}'`,
      primaryMetric: 'Score',
      direction: 'maximize',
    });
    const record = await silent.evaluate({ kind: 'validate', agentSandbox: sandbox });
    assert.equal(record.failure?.type, 'evaluation_format_error');
    assert.match(record.failure!.message, /Output:\n---\n\{"Score": 5\}\n---/);
    assert.equal(record.score, undefined);
  });

  test("an evaluator's rejection (labgym_eval.fail) is an evaluation error carrying its message", async () => {
    const rejecting = new SandboxEvaluator({
      image: task.image,
      artifacts: ['strategy.py'],
      files: [],
      command: `python3 -c 'import labgym_eval as lab; print("working"); lab.fail("row 3 has no label")'`,
      primaryMetric: 'Score',
      direction: 'maximize',
    });
    const record = await rejecting.evaluate({ kind: 'validate', agentSandbox: sandbox });
    assert.deepEqual(record.failure, { type: 'evaluation_error', message: 'row 3 has no label' });
    assert.equal(record.score, undefined);
  });
});
