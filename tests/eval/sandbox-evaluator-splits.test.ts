/**
 * SandboxEvaluator's second split, against real Docker: by default each evaluation also scores the other split
 * in its own fresh sandbox; in MLGym-compatible mode (validate scores the test split) it scores one split only.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SandboxEvaluator, type SandboxEvaluatorConfig } from '../../src/eval/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const TASK = join(import.meta.dirname, '../../tasks/numberGuess');
const WORKSPACE = '/home/agent/workspace';

/** The numberGuess evaluator (targets: validation 10, test 12), recording every evaluation sandbox it makes. */
function evaluator(created: string[], splits?: SandboxEvaluatorConfig['splits']): SandboxEvaluator {
  return new SandboxEvaluator({
    image: TEST_IMAGE,
    artifacts: ['submission.txt'],
    files: [join(TASK, 'evaluator/evaluate.py')],
    hidden: { validation: [join(TASK, 'hidden/validation')], test: [join(TASK, 'hidden/test')] },
    command: 'python3 evaluate.py',
    metricsFrom: 'stdout',
    primaryMetric: 'score',
    direction: 'maximize',
    baseline: -7,
    splits,
    timeoutMs: 60_000,
    createSandbox: async (params: SandboxCreateParams) => {
      const sandbox = await createSandbox(params);
      created.push(sandbox.id);
      return sandbox;
    },
  });
}

describe('SandboxEvaluator splits', () => {
  let agent: Sandbox;
  before(async () => {
    agent = await createSandbox({ image: TEST_IMAGE });
    await agent.writeFiles(WORKSPACE, [{ path: 'submission.txt', content: '11\n' }], { owner: 'agent' });
  });
  after(() => agent.close());

  test('validate also scores the test split, each split in its own fresh sandbox', async () => {
    const created: string[] = [];
    const record = await evaluator(created).evaluate({ kind: 'validate', agentSandbox: agent });
    assert.equal(record.split, 'validation');
    assert.equal(record.score, -1);
    const { evaluationSandboxId: otherSandboxId, ...other } = record.otherSplit ?? {};
    assert.deepEqual(other, { split: 'test', metrics: { score: -1, split_seen: 1 }, score: -1, improvement: 6 / 7 });
    assert.equal(created.length, 2);
    assert.notEqual(created[0], created[1]);
    assert.deepEqual([record.evaluationSandboxId, otherSandboxId].sort(), [...created].sort(), 'each split names the sandbox it ran in');
    assert.equal(record.agentSandboxId, agent.id);
  });

  test('a final evaluation also scores the validation split', async () => {
    await agent.writeFiles(WORKSPACE, [{ path: 'submission.txt', content: '13\n' }], { owner: 'agent' });
    const record = await evaluator([]).evaluate({ kind: 'submit', agentSandbox: agent });
    assert.equal(record.split, 'test');
    assert.equal(record.score, -1);
    assert.equal(record.otherSplit?.split, 'validation');
    assert.equal(record.otherSplit?.score, -3);
  });

  test('MLGym-compatible splits score one split only', async () => {
    const created: string[] = [];
    const record = await evaluator(created, { validate: 'test', final: 'test' }).evaluate({ kind: 'validate', agentSandbox: agent });
    assert.equal(record.split, 'test');
    assert.equal(record.otherSplit, undefined);
    assert.equal(created.length, 1);
    assert.equal(record.evaluationSandboxId, created[0]);
  });

  test('a missing submission fails on both splits without making a sandbox', async () => {
    const created: string[] = [];
    await agent.run(['rm', '-f', `${WORKSPACE}/submission.txt`]);
    const record = await evaluator(created).evaluate({ kind: 'validate', agentSandbox: agent });
    assert.equal(record.failure?.type, 'submission_not_found');
    assert.equal(record.otherSplit?.failure?.type, 'submission_not_found');
    assert.equal(record.otherSplit?.split, 'test');
    assert.equal(record.evaluationSandboxId, undefined);
    assert.deepEqual(created, []);
  });
});
