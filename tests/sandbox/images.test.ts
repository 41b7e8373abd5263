import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Docker from 'dockerode';
import { PrerequisiteError } from '../../src/errors.js';
import { buildTaskImage } from '../../src/sandbox/docker/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

test('a task image builds FROM the base with no network, is reused while unchanged, and rebuilt when changed', async () => {
  const context = await mkdtemp(join(tmpdir(), 'labgym-image-'));
  const docker = new Docker();
  const tags: string[] = [];
  try {
    await cp(new URL('../fixtures/images/hello/', import.meta.url).pathname, context, { recursive: true });
    const first = await buildTaskImage({ name: 'labgym/test-hello', contextDir: context, baseImage: TEST_IMAGE });
    tags.push(first.tag);
    assert.match(first.tag, /^labgym\/test-hello:[0-9a-f]{12}$/);
    const again = await buildTaskImage({ name: 'labgym/test-hello', contextDir: context, baseImage: TEST_IMAGE });
    assert.deepEqual(again, { tag: first.tag, built: false });

    const sandbox = await createSandbox({ image: first.tag });
    try {
      assert.equal((await sandbox.exec('cat /opt/task/greeting.txt; id -un')).output, 'hello from a task image\nagent\n');
    } finally {
      await sandbox.close();
    }

    await writeFile(join(context, 'greeting.txt'), 'changed\n');
    const changed = await buildTaskImage({ name: 'labgym/test-hello', contextDir: context, baseImage: TEST_IMAGE });
    tags.push(changed.tag);
    assert.equal(changed.built, true);
    assert.notEqual(changed.tag, first.tag);
  } finally {
    for (const tag of tags)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
    await rm(context, { recursive: true, force: true });
  }
});

test('a build that fails names the image and the failing step', async () => {
  const context = await mkdtemp(join(tmpdir(), 'labgym-image-'));
  try {
    await writeFile(join(context, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN exit 3\n');
    await assert.rejects(buildTaskImage({ name: 'labgym/test-broken', contextDir: context, baseImage: TEST_IMAGE }), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.match(error.message, /^building labgym\/test-broken:[0-9a-f]{12} from .* failed: The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
      return true;
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
});
