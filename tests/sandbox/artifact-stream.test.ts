/**
 * Streamed artifacts against real Docker: readArchive and writeArchive copy files between sandboxes without
 * holding them in this process (RSS stays flat for a sparse multi-GB file), and the cap ends the stream with
 * ArtifactTooLargeError, which is not a sandbox outage.
 */

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { ArtifactTooLargeError, isSandboxUnavailable } from '../../src/errors.js';
import { dockerError } from '../../src/sandbox/docker/docker-files.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const WORKSPACE = '/home/agent/workspace';
const GIB = 1024 ** 3;

/** A sink that counts bytes and keeps none. */
function counting(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  return {
    sink: new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    }),
    bytes: () => bytes,
  };
}

describe('artifact streams', () => {
  let source: Sandbox;
  let target: Sandbox;
  before(async () => {
    [source, target] = await Promise.all([
      createSandbox({ image: TEST_IMAGE }),
      // Writable places are tmpfs counted as memory: room for the multi-GB copy.
      createSandbox({ image: TEST_IMAGE, limits: { disk: '4g', memory: '4g' } }),
    ]);
    await source.writeFiles(
      WORKSPACE,
      [
        { path: 'a.txt', content: 'alpha\n' },
        { path: 'run/b/c.txt', content: 'gamma\n', mode: 0o755 },
      ],
      { owner: 'agent' },
    );
  });
  after(() => Promise.all([source.close(), target.close()]));

  test('readArchive names entries by their path; writeArchive extracts them with the given owner', async () => {
    const archive = await source.readArchive([`${WORKSPACE}/a.txt`, `${WORKSPACE}/run/b/c.txt`, `${WORKSPACE}/missing`], { maxBytes: 1 << 20 });
    await target.writeArchive(`${WORKSPACE}/copy`, archive, { owner: 'root' });
    const listed = await target.run([
      'sh',
      '-c',
      `cd ${WORKSPACE}/copy && find . -type f -exec stat -c "%n %U %a" {} + | sort && cat home/agent/workspace/run/b/c.txt`,
    ]);
    assert.equal(listed.stdout, './home/agent/workspace/a.txt root 644\n./home/agent/workspace/run/b/c.txt root 755\ngamma\n');
  });

  test('past maxBytes the stream fails with ArtifactTooLargeError, not a sandbox outage', async () => {
    await source.run(['sh', '-c', `head -c 3000000 /dev/urandom > ${WORKSPACE}/big.bin`]);
    const archive = await source.readArchive([`${WORKSPACE}/big.bin`], { maxBytes: 1 << 20 });
    const { sink, bytes } = counting();
    const error = await pipeline(archive, sink).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ArtifactTooLargeError, String(error));
    assert.equal(isSandboxUnavailable(error), false);
    assert.ok(bytes() < 2 << 20, `stopped near the cap, read ${bytes()} bytes`);
  });

  test('only a broken connection or a gone container is a sandbox outage', () => {
    assert.equal(isSandboxUnavailable(dockerError('x', new RangeError('Array buffer allocation failed'))), false);
    assert.equal(isSandboxUnavailable(dockerError('x', Object.assign(new Error('no such container'), { statusCode: 404 }))), true);
    assert.equal(isSandboxUnavailable(dockerError('x', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))), true);
    assert.equal(isSandboxUnavailable(dockerError('x', Object.assign(new Error('server error'), { statusCode: 500 }))), false);
  });

  test('a sparse multi-GB file streams from sandbox to sandbox with flat memory', async () => {
    await source.run(['truncate', '-s', String(2 * GIB), `${WORKSPACE}/sparse.bin`]);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const archive = await source.readArchive([`${WORKSPACE}/sparse.bin`], { maxBytes: 3 * GIB });
    await target.writeArchive(`${WORKSPACE}/sparse`, archive, { owner: 'root' });
    const grown = process.memoryUsage().rss - before;
    const size = await target.run(['stat', '-c', '%s', `${WORKSPACE}/sparse${WORKSPACE}/sparse.bin`]);
    assert.equal(Number(size.stdout), 2 * GIB);
    assert.ok(grown < 300 * 1024 ** 2, `RSS grew by ${Math.round(grown / 1024 ** 2)} MiB copying 2 GiB`);
  });
});
