/**
 * Evaluation sandboxes started ahead, against real Docker: an evaluation in a spare scores exactly as one in a
 * sandbox started for it; every evaluation gets its own sandbox, used once and removed (nothing one submission
 * did can reach the next); spares are topped up and close() removes them.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabgymEnv } from '../../src/env/index.js';
import { EvaluationPool } from '../../src/generate/index.js';
import { dockerClient, LABELS } from '../../src/sandbox/docker/index.js';
import type { Sandbox, SandboxCreateParams } from '../../src/sandbox/index.js';
import { resolveTask } from '../../src/tasks/index.js';

const mine = async () =>
  (await dockerClient().listContainers({ all: true, filters: { label: [`${LABELS.ownerPid}=${process.pid}`] } })).map((container) => container.Id);

test('evaluations in spares score as in their own sandboxes; each sandbox serves one evaluation; close removes the spares', { timeout: 600_000 }, async () => {
  const task = await resolveTask('battleOfSexes', { scale: 'reduced' });
  const before = await mine();
  const pool = new EvaluationPool({ perKey: 2 });
  const handedOut: Sandbox[] = [];
  const pooled = task.evaluator.withCreateSandbox(async (params) => {
    const sandbox = await pool.create(params);
    handedOut.push(sandbox);
    return sandbox;
  });
  const env = new LabgymEnv();
  try {
    await env.reset({ task: task.envTask });
    pool.prepare(task.evaluator.sandboxParams());
    for (let i = 0; i < 600 && pool.spareCount < 2; i++) await sleep(100);
    assert.equal(pool.spareCount, 2, 'prepare starts the spares before any evaluation asks');

    // The agent's strategy leaves a file behind wherever it runs.
    await env.step('cat > strategy.py <<"PY"\nopen("/tmp/left-by-submission", "w").write("x")\n\ndef row_strategy(history):\n    return 0\nPY');
    const honest = await task.evaluator.evaluate({ kind: 'validate', agentSandbox: env.currentSandbox!, seed: 3 });
    assert.ok(honest.score !== undefined, `the honest evaluation scores: ${JSON.stringify(honest.failure)}`);
    for (let round = 0; round < 3; round++) {
      const spared = await pooled.evaluate({ kind: 'validate', agentSandbox: env.currentSandbox!, seed: 3 });
      assert.equal(spared.score, honest.score, `round ${round}: the same score in a spare`);
      assert.deepEqual(spared.metrics, honest.metrics);
    }
    // Each validate scores the validation split and, unseen by the agent, the test split: two sandboxes each.
    assert.equal(pool.counts.total, 6);
    assert.ok(pool.counts.startedAhead >= 2, `at least the two prepared spares were used (${pool.counts.startedAhead})`);
    assert.equal(new Set(handedOut.map((sandbox) => sandbox.id)).size, 6, 'every split of every evaluation got its own sandbox');
    for (const sandbox of handedOut) {
      await assert.rejects(dockerClient().getContainer(sandbox.id).inspect(), /no such container/i, 'a used evaluation sandbox is removed');
    }
    for (let i = 0; i < 600 && pool.spareCount < 2; i++) await sleep(100);
    assert.equal(pool.spareCount, 2, 'spares are topped up after hand-outs');
  } finally {
    await env.close();
    await pool.close();
  }
  assert.equal(pool.spareCount, 0);
  assert.deepEqual(
    (await mine()).filter((id) => !before.includes(id)),
    [],
    'close removes every spare',
  );
});

test('sandboxes with GPUs are never started ahead (their devices belong to one lease; no GPU here, so creation is recorded, not run)', async () => {
  const asked: SandboxCreateParams[] = [];
  let closed = 0;
  const pool = new EvaluationPool({
    perKey: 2,
    create: async (params) => {
      asked.push(params);
      return { id: `fake-${asked.length}`, close: async () => void (closed += 1) } as unknown as Sandbox;
    },
  });
  const params = { image: 'labgym/base:test', gpus: ['GPU-0'] };
  pool.prepare(params);
  await pool.create(params);
  // flush() waits for every background start of spares to finish, then removes the spares: had any been started,
  // it would be in `asked` by now and closed here.
  await pool.flush();
  assert.equal(asked.length, 1, 'only the sandbox asked for was created');
  assert.equal(closed, 0, 'no spare existed to remove');
  assert.equal(pool.spareCount, 0);
  await pool.close();
});
