/**
 * The warm pool against real Docker: a sandbox given back is wiped and refilled in the background and handed
 * out again (no container start), with nothing the last agent left behind; the pool stays within its bound,
 * and close() removes every container it made.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EnvTask, LabgymEnv } from '../../src/env/index.js';
import { WarmPool } from '../../src/generate/index.js';
import { dockerClient, LABELS } from '../../src/sandbox/docker/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const mine = async () =>
  (await dockerClient().listContainers({ all: true, filters: { label: [`${LABELS.ownerPid}=${process.pid}`] } })).map((container) => container.Id);

test('a returned sandbox is wiped, refilled and handed out again without a container start; close removes everything', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labgym-pool-'));
  const before = await mine();
  let created = 0;
  const pool = new WarmPool({
    perImage: 1,
    create: (params) => {
      created += 1;
      return createSandbox(params);
    },
  });
  try {
    await writeFile(join(dir, 'start.txt'), 'starting file\n');
    const task: EnvTask = {
      id: 'poolTest',
      image: TEST_IMAGE,
      description: 'pool test',
      workspace: [{ hostPath: join(dir, 'start.txt') }],
      evaluator: { evaluate: () => Promise.reject(new Error('not evaluated here')) },
    };
    const env = new LabgymEnv({ sandboxSource: pool });
    const seen = new Set<string>();
    for (let episode = 0; episode < 5; episode++) {
      const reset = await env.reset({ task });
      seen.add(reset.info.sandboxId);
      const acquisition = pool.acquisitionOf(env.currentSandbox!);
      assert.equal(acquisition?.warm, episode > 0, `episode ${episode}: warm after the first`);
      // episode 1 gets the spare, fresh; later ones get a sandbox given back, after a proven reset
      if (episode > 1) assert.ok((acquisition?.resetMs ?? 0) > 0, `episode ${episode}: the reset time is recorded`);
      const look = await env.step('ls; cat start.txt; pgrep -u agent sleep || echo no-sleep');
      assert.match(look.observation, /start\.txt/);
      assert.match(look.observation, /starting file/);
      assert.doesNotMatch(look.observation, /left-behind/, `episode ${episode}: the last agent's file is gone`);
      assert.match(look.observation, /no-sleep/, `episode ${episode}: the last agent's processes are gone`);
      await env.step('echo scribble > left-behind.txt; rm start.txt; (sleep 300 &)');
      // after the first episode, let the spare start; later resets wait for the recycled sandbox, not a container start
      if (episode === 0) for (let i = 0; i < 200 && pool.idleCount < 1; i++) await sleep(50);
    }
    await env.close();
    assert.equal(created, 2, 'two containers served five episodes: the first start, then one spare, recycled in turn');
    assert.equal(seen.size, 2);
    for (let i = 0; i < 200 && pool.liveCount > 1; i++) await sleep(50);
    assert.equal(pool.liveCount, 1, 'bounded: one idle sandbox kept, the other removed');
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(
    (await mine()).filter((id) => !before.includes(id)),
    [],
    'close removes every container the pool made',
  );
});
