/**
 * Disk quotas: the root file system is read-only and every writable place is a capped tmpfs, so writing past a cap
 * by bytes or by files is ENOSPC for the writer and the host disk never sees a byte of it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerOptions } from '../../src/sandbox/docker/container-options.js';
import { createSandbox, resolveLimits } from '../../src/sandbox/index.js';
import { writableMounts } from '../../src/sandbox/limits.js';
import { TEST_IMAGE } from '../helpers/images.js';

const LIMITS = { memory: '1g', disk: '16m', inodes: 2000, shm: '16m' };

test('the root is read-only and every writable place is a tmpfs capped in bytes and inodes', () => {
  const options = containerOptions({ image: TEST_IMAGE, limits: LIMITS });
  assert.equal(options.HostConfig?.ReadonlyRootfs, true);
  const tmpfs = Object.entries(options.HostConfig?.Tmpfs ?? {});
  const volumes = options.HostConfig?.Mounts ?? [];
  assert.equal(tmpfs.length + volumes.length, writableMounts(resolveLimits(LIMITS)).length);
  for (const [path, flags] of tmpfs) assert.match(flags, /size=\d+,nr_inodes=\d+/, path);
  for (const volume of volumes) {
    assert.equal(volume.VolumeOptions?.DriverConfig?.Options?.type, 'tmpfs', volume.Target);
    assert.match(volume.VolumeOptions?.DriverConfig?.Options?.o ?? '', /size=\d+,nr_inodes=\d+/, volume.Target);
  }
});

test('a bad disk or inode limit is one line naming the field', () => {
  assert.throws(() => resolveLimits({ disk: 'lots' }), /^InvalidArgumentError: invalid sandbox limits: disk: expected disk as a size like "512m"[^\n]*$/);
  assert.throws(
    () => resolveLimits({ inodes: 10 }),
    (error: Error) => /inodes/.test(error.message) && !error.message.includes('\n'),
  );
});

test('writing past any cap is ENOSPC, by bytes and by files; the root fs stays read-only and unchanged', { timeout: 180_000 }, async () => {
  const sandbox = await createSandbox({ image: TEST_IMAGE, limits: LIMITS });
  try {
    const before = await sandbox.rootfsChanges();
    for (const place of writableMounts(resolveLimits(LIMITS))) {
      const user = place.mode === '1777' ? 'agent' : place.owner;
      const filler = `${place.path}/filler`;
      const type = await sandbox.run(['stat', '-f', '-c', '%T', place.path]);
      assert.equal(type.stdout.trim(), 'tmpfs', `${place.path} is a tmpfs`);
      const bytes = await sandbox.run(['sh', '-c', `head -c ${place.bytes + 1024 ** 2} /dev/zero > ${filler}`], { user });
      assert.notEqual(bytes.exitCode, 0, `${place.path}: writing past ${place.bytes} bytes fails`);
      assert.match(bytes.stderr, /No space left on device/, place.path);
      assert.equal((await sandbox.run(['rm', '-f', filler])).exitCode, 0);
      const files = await sandbox.run(['sh', '-c', `mkdir ${place.path}/many && cd ${place.path}/many && seq ${place.inodes + 10} | xargs touch`], {
        user,
      });
      assert.notEqual(files.exitCode, 0, `${place.path}: more than ${place.inodes} files fail`);
      assert.match(files.stderr, /No space left on device/, place.path);
      assert.equal((await sandbox.run(['rm', '-rf', `${place.path}/many`])).exitCode, 0);
    }
    for (const path of ['/etc/planted', '/usr/lib/planted', '/opt/planted', '/home/planted']) {
      const written = await sandbox.run(['sh', '-c', `echo x > ${path}`]);
      assert.match(written.stderr, /Read-only file system/, `root cannot write ${path}`);
    }
    assert.deepEqual(await sandbox.rootfsChanges(), before, 'nothing reached the container layer on the host disk');
  } finally {
    await sandbox.close();
  }
});
