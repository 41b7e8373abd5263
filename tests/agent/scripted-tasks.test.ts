/**
 * The scripted policy on catalog tasks at the reduced scale, over real HTTP to the built-in policy server, in
 * real task sandboxes: the game tasks and Fashion-MNIST give valid records with validate scores, rewards and a
 * final (test) score, and two seeds take different actions.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runEpisode } from '../../src/agent/index.js';
import { LabgymEnv } from '../../src/env/index.js';
import { ModelClient, type PolicyServer, startPolicyServer } from '../../src/models/index.js';
import { type EpisodeRecord, EpisodeRecordSchema } from '../../src/store/index.js';
import { resolveTask } from '../../src/tasks/index.js';

describe('scripted episodes on catalog tasks (reduced scale)', () => {
  let server: PolicyServer;
  const env = new LabgymEnv({ maxSteps: 40 });
  before(async () => {
    server = await startPolicyServer();
  });
  after(async () => {
    await env.close();
    await server.close();
  });

  async function episode(ref: string, seed: number): Promise<EpisodeRecord> {
    const task = await resolveTask(ref, { scale: 'reduced' });
    const client = new ModelClient({ baseUrl: server.baseUrl, model: 'scripted', sampling: { seed }, timeoutMs: 60_000 });
    const record = await runEpisode({ env, task: task.envTask, client, seed, taskInfo: { contentHash: task.contentHash, imageId: task.image } });
    EpisodeRecordSchema.parse(record);
    return record;
  }

  function assertScored(record: EpisodeRecord): void {
    assert.equal(record.exitStatus, 'submitted');
    assert.ok(record.scores.validations.length >= 2, 'the starter code and at least one experiment were validated');
    for (const validation of record.scores.validations) assert.equal(typeof validation.score, 'number');
    assert.equal(typeof record.scores.final?.score, 'number');
    const validateSteps = record.steps.filter((step) => step.evaluation?.split === 'validation');
    assert.equal(validateSteps.length, record.scores.validations.length);
    const last = record.steps.at(-1)!;
    assert.equal(last.evaluation?.split, 'test');
    assert.equal(last.reward, last.evaluation?.improvement, 'the final step earns the held-out improvement');
    for (const step of record.steps) assert.ok(Number.isFinite(step.reward));
  }

  for (const task of ['battleOfSexes', 'prisonersDilemma', 'blotto']) {
    test(`${task}: two seeds, valid scored records, different actions`, async () => {
      const [one, two] = [await episode(task, 1), await episode(task, 2)];
      assertScored(one);
      assertScored(two);
      assert.notDeepEqual(
        one.steps.map((step) => step.action),
        two.steps.map((step) => step.action),
      );
    });
  }

  test('fashionMnist: a valid scored record', async () => {
    assertScored(await episode('fashionMnist', 1));
  });
});
