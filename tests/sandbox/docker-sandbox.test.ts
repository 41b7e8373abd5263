import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Docker from 'dockerode';
import { InvalidArgumentError, PrerequisiteError, SandboxUnavailableError } from '../../src/errors.js';
import { DockerBackend } from '../../src/sandbox/docker/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { sandboxConformance } from '../conformance/sandbox-conformance.js';
import { TEST_IMAGE } from '../helpers/images.js';

describe('docker sandbox conformance', () => {
  sandboxConformance((params) => createSandbox({ image: TEST_IMAGE, ...params }));
});

describe('docker sandbox limits and labels', () => {
  test('limits, network mode, capabilities and labels reach the container', async () => {
    const sandbox = await createSandbox({
      image: TEST_IMAGE,
      limits: { cpus: 0.5, memory: '300m', disk: '64m', pids: 100, shm: '32m' },
      labels: { 'labgym.test': 'limits' },
    });
    try {
      const info = await new Docker().getContainer(sandbox.id).inspect();
      assert.equal(info.HostConfig.NanoCpus, 5e8);
      // The agent's files live in tmpfs pages charged to the container: memory + disk + shm + its shell state (64m).
      assert.equal(info.HostConfig.Memory, 460 * 1024 ** 2);
      assert.equal(info.HostConfig.MemorySwap, 460 * 1024 ** 2);
      assert.equal(info.HostConfig.PidsLimit, 100);
      assert.equal(info.HostConfig.ShmSize, 32 * 1024 ** 2);
      assert.equal(info.HostConfig.NetworkMode, 'none');
      assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
      assert.equal(info.Config.Labels['labgym.test'], 'limits');
      assert.equal(info.Config.Labels['labgym.owner-pid'], String(process.pid));
    } finally {
      await sandbox.close();
    }
  });

  test('read-only mounts cannot be written', async () => {
    const sandbox = await createSandbox({ image: TEST_IMAGE, readOnlyMounts: { [`${process.cwd()}/tests`]: '/mnt/tests' } });
    try {
      const result = await sandbox.exec('ls /mnt/tests/sandbox >/dev/null && touch /mnt/tests/x');
      assert.match(result.output, /Read-only file system/);
    } finally {
      await sandbox.close();
    }
  });

  test('close is idempotent and a closed sandbox refuses work', async () => {
    const sandbox = await createSandbox({ image: TEST_IMAGE });
    await sandbox.close();
    await sandbox.close();
    await assert.rejects(sandbox.exec('true'), /is closed/);
  });
});

describe('docker sandbox bad input', () => {
  test('an unknown image is one clear prerequisite error', async () => {
    await assert.rejects(createSandbox({ image: 'labgym/no-such-image:0' }), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.equal(error.message, 'image labgym/no-such-image:0 not found: build it with `labgym images build` (or scripts/setup.sh)');
      return true;
    });
  });

  test('no daemon: ping is one clear prerequisite error, create a SandboxUnavailableError (worth a retry)', async () => {
    const backend = new DockerBackend({ docker: new Docker({ socketPath: '/tmp/labgym-no-daemon.sock' }) });
    await assert.rejects(backend.ping(), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.match(error.message, /^no Docker daemon answers at \/tmp\/labgym-no-daemon.sock: run scripts\/ensure-docker.sh/);
      return true;
    });
    await assert.rejects(backend.create({ image: TEST_IMAGE }), (error: unknown) => {
      assert.ok(error instanceof SandboxUnavailableError, `got ${String(error)}`);
      assert.match(error.message, /^no sandbox could be created: no Docker daemon answers at \/tmp\/labgym-no-daemon.sock/);
      return true;
    });
  });

  test('invalid limits name every bad field', async () => {
    await assert.rejects(createSandbox({ image: TEST_IMAGE, limits: { cpus: -1, memory: 'lots' } }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /^invalid sandbox limits: cpus: .*; memory: expected memory as a size like "512m" or "8g", got "lots"$/);
      return true;
    });
  });

  test('a non-positive timeout is refused', async () => {
    const sandbox = await createSandbox({ image: TEST_IMAGE });
    try {
      await assert.rejects(sandbox.exec('true', { timeoutMs: 0 }), InvalidArgumentError);
    } finally {
      await sandbox.close();
    }
  });
});
