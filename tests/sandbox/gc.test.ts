import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { DockerBackend } from '../../src/sandbox/docker/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const docker = new Docker();

/** Start a process that creates sandboxes, wait for their ids, then kill it with SIGKILL (no cleanup runs). */
async function sandboxesOfKilledProcess(count: number, lifeline: boolean): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/hold-sandboxes.ts', String(count), lifeline ? 'lifeline' : 'no-lifeline'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  child.kill('SIGKILL');
  await once(child, 'exit');
  return JSON.parse(line) as string[];
}

async function exists(id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

/**
 * Whether Docker removes the container within `timeoutMs`: true as soon as its destroy event arrives (or it is
 * already gone), false at the deadline. The event stream is opened before the first look, so no event is missed.
 */
async function removedWithin(id: string, timeoutMs: number): Promise<boolean> {
  const events = (await docker.getEvents({ filters: { container: [id], event: ['destroy'] } })) as Readable;
  const deadline = new AbortController();
  try {
    if (!(await exists(id))) return true;
    return await Promise.race([once(events, 'data').then(() => true), sleep(timeoutMs, false, { signal: deadline.signal })]);
  } finally {
    deadline.abort();
    events.destroy();
  }
}

test('gc removes the containers of a killed host process and spares those of live ones', async () => {
  const ours = await new DockerBackend({ lifeline: false }).create({ image: TEST_IMAGE });
  try {
    const orphans = await sandboxesOfKilledProcess(2, false);
    for (const id of orphans) {
      // Not "still there a moment later" (true of any container for a while) but "nothing will remove it": it
      // runs, and Docker has no AutoRemove to act on and no lifeline stdin whose close would end it.
      const { State, HostConfig, Config } = await docker.getContainer(id).inspect();
      assert.deepEqual(
        { running: State.Running, autoRemove: HostConfig.AutoRemove, stdin: Config.OpenStdin },
        { running: true, autoRemove: false, stdin: false },
        'without a lifeline the orphan outlives its owner',
      );
    }
    const removed = await new DockerBackend().cleanup();
    assert.deepEqual(removed.filter((id) => orphans.includes(id)).sort(), [...orphans].sort());
    for (const id of orphans) assert.equal(await exists(id), false);
    assert.ok(await exists(ours.id), 'a sandbox whose owner is alive is kept');
    assert.equal((await ours.exec('echo kept')).output, 'kept\n');
  } finally {
    await ours.close();
  }
});

test('with a lifeline, Docker removes the sandbox by itself when its owner dies', async () => {
  const [id] = await sandboxesOfKilledProcess(1, true);
  assert.ok(await removedWithin(id!, 20_000), 'the container is gone without any gc');
  assert.equal(await exists(id!), false);
});
