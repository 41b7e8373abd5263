import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import Docker from 'dockerode';
import { DockerBackend, createSandbox } from '../../src/sandbox/index.js';
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
  return docker.getContainer(id).inspect().then(
    () => true,
    () => false,
  );
}

test('gc removes the containers of a killed host process and spares those of live ones', async () => {
  const ours = await createSandbox({ image: TEST_IMAGE, lifeline: false });
  try {
    const orphans = await sandboxesOfKilledProcess(2, false);
    for (const id of orphans) assert.ok(await exists(id), 'without a lifeline the orphan outlives its owner');
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
  let present = true;
  for (let i = 0; i < 100 && present; i++) {
    present = await exists(id!);
    if (present) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(present, false, 'the container is gone without any gc');
});
