/**
 * GPU leasing through the scheduler, against a FAKE inventory: this machine has no GPU (and no NVIDIA
 * runtime), so the four devices in the spec are made up, and the test's sandbox factory checks the
 * DeviceRequests Docker would get and then starts the container without them. Everything else is real: the
 * scheduler, leases, episodes, sandboxes, policy server and evaluator. Concurrent episodes never share a
 * device, leases come back after a failure, and GPU-seconds are recorded per episode.
 */

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseGenerationSpec } from '../../src/config/generation-spec.js';
import { SandboxUnavailableError } from '../../src/errors.js';
import { GenerationSpecError, generate, startGeneration } from '../../src/generate/index.js';
import { containerOptions } from '../../src/sandbox/docker/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../../src/sandbox/index.js';
import { readJournal, readRunEpisodes } from '../../src/store/index.js';
import { DEFAULT_DIRS } from '../../src/tasks/index.js';

const FAKE_GPUS = [1, 2, 3, 4].map((i) => ({
  index: i - 1,
  uuid: `GPU-${i}${i}${i}${i}${i}${i}${i}${i}-fake-0000-0000-000000000000`,
  name: 'fake H100',
  memoryMiB: 81559,
}));

/** A copy of numberGuess that asks for 2 GPUs, in a temporary catalog. */
async function gpuCatalog(root: string) {
  const tasks = join(root, 'tasks');
  await cp(join(DEFAULT_DIRS.tasks, 'numberGuess'), join(tasks, 'gpuGuess'), { recursive: true });
  const yaml = (await readFile(join(tasks, 'gpuGuess', 'task.yaml'), 'utf8'))
    .replace(/^id: numberGuess$/m, 'id: gpuGuess')
    .replace(/^resources:\n {2}cpus: 1/m, 'resources:\n  gpus: 2\n  cpus: 1');
  assert.match(yaml, /gpus: 2/);
  await writeFile(join(tasks, 'gpuGuess', 'task.yaml'), yaml);
  const policy = (await readFile(join(tasks, 'gpuGuess', 'policy.yaml'), 'utf8')).replace(/^task: numberGuess$/m, 'task: gpuGuess');
  await writeFile(join(tasks, 'gpuGuess', 'policy.yaml'), policy);
  return { tasks, datasets: DEFAULT_DIRS.datasets };
}

const spec = (out: string, gpus: unknown) =>
  parseGenerationSpec('test', {
    schemaVersion: 1,
    name: 'gpus',
    tasks: ['gpuGuess'],
    models: [{ name: 'scripted' }],
    seeds: { count: 6 },
    scale: 'reduced',
    agent: { maxSteps: 4 },
    concurrency: { episodes: 4 },
    resources: { gpus, cpuSlots: 8 },
    output: { dir: out },
  });

test('episodes lease GPUs exclusively through the scheduler (fake inventory: no GPU here), leases return after failures, GPU-seconds are recorded', {
  timeout: 600_000,
}, async () => {
  const root = await mkdtemp(join(tmpdir(), 'labgym-gpus-'));
  try {
    const catalogDirs = await gpuCatalog(root);
    const inUse = new Set<string>();
    let peakEpisodes = 0;
    let holding = 0;
    let created = 0;
    const createWithFakeGpus = async (params: SandboxCreateParams): Promise<Sandbox> => {
      const gpus = params.gpus ?? [];
      if (!gpus.length) return createSandbox(params); // the evaluator's sandboxes
      assert.equal(gpus.length, 2);
      const requests = containerOptions(params).HostConfig?.DeviceRequests;
      assert.deepEqual(requests?.[0]?.DeviceIDs, [...gpus], 'Docker gets exactly the leased devices');
      for (const uuid of gpus) {
        assert.equal(inUse.has(uuid), false, `${uuid} is leased to two episodes at once`);
        inUse.add(uuid);
      }
      holding += 1;
      peakEpisodes = Math.max(peakEpisodes, holding);
      const free = () => {
        for (const uuid of gpus) inUse.delete(uuid);
        holding -= 1;
      };
      created += 1;
      if (created === 2) {
        free();
        throw new SandboxUnavailableError('injected: the container could not start');
      }
      const sandbox = await createSandbox({ ...params, gpus: undefined });
      const close = sandbox.close.bind(sandbox);
      let closed = false;
      return Object.assign(Object.create(sandbox) as Sandbox, {
        close: async () => {
          if (!closed) {
            closed = true;
            free();
          }
          await close();
        },
      });
    };

    const summary = await generate({ spec: spec(join(root, 'runs'), FAKE_GPUS), source: 'test', catalogDirs, createSandbox: createWithFakeGpus });
    assert.equal(summary.outcome, 'completed', JSON.stringify(summary.failures));
    assert.equal(summary.done, 6);
    assert.equal(summary.retries, 1, 'the failed start was retried (its lease came back)');
    assert.equal(inUse.size, 0, 'every device was given back');
    assert.equal(peakEpisodes, 2, 'two 2-GPU episodes ran at once on 4 devices, never more');

    const journal = await readJournal(summary.runDir);
    const startedGpus = journal.flatMap((entry) => (entry.event === 'episode-started' ? [entry.gpus ?? []] : []));
    assert.equal(startedGpus.length, 7);
    for (const gpus of startedGpus) assert.equal(gpus.length, 2);
    const { records } = await readRunEpisodes(summary.runDir);
    for (const record of records) assert.ok(record.usage.gpuSeconds > 0, 'GPU-seconds in the record');
    for (const entry of journal) if (entry.event === 'episode-finished') assert.ok(entry.stages.gpuSeconds > 0, 'GPU-seconds of the lease');
    assert.ok(summary.gpuSeconds > 0);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a GPU task with no GPUs fails before the first episode, one line per problem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'labgym-gpus-'));
  try {
    const catalogDirs = await gpuCatalog(root);
    const bad = parseGenerationSpec('spec.yaml', { ...spec(join(root, 'runs'), 'none'), tasks: ['gpuGuess', 'noSuchTask'] });
    await assert.rejects(startGeneration({ spec: bad, source: 'spec.yaml', catalogDirs }), (error: unknown) => {
      assert.ok(error instanceof GenerationSpecError);
      assert.equal(error.problems.length, 2, error.message);
      assert.match(error.problems[0]!, /^tasks\[0\]: gpuGuess needs 2 GPUs, but this machine has none/);
      assert.match(error.problems[1]!, /^tasks\[1\]: .*noSuchTask/);
      return true;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
