/**
 * GPU leases against a FAKE inventory: this machine has no GPU, so the devices below are made up (the parser is
 * fed nvidia-smi's CSV format). What is real: the lease logic, and the Docker container created with the leased
 * devices, inspected after create without being started (starting needs the NVIDIA runtime).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as settled, setTimeout as sleep } from 'node:timers/promises';
import { GpuLeases, parseNvidiaSmiCsv } from '../../src/generate/gpus.js';
import { containerOptions, dockerClient } from '../../src/sandbox/docker/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const FAKE_NVIDIA_SMI = `index, uuid, name, memory.total [MiB]
0, GPU-11111111-aaaa-bbbb-cccc-000000000000, NVIDIA H100 80GB HBM3, 81559 MiB
1, GPU-22222222-aaaa-bbbb-cccc-000000000000, NVIDIA H100 80GB HBM3, 81559 MiB
2, GPU-33333333-aaaa-bbbb-cccc-000000000000, NVIDIA H100 80GB HBM3, 81559 MiB
3, GPU-44444444-aaaa-bbbb-cccc-000000000000, NVIDIA H100 80GB HBM3, 81559 MiB
`;

test('nvidia-smi CSV parses into the inventory', () => {
  const devices = parseNvidiaSmiCsv(FAKE_NVIDIA_SMI);
  assert.equal(devices.length, 4);
  assert.deepEqual(devices[2], { index: 2, uuid: 'GPU-33333333-aaaa-bbbb-cccc-000000000000', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 });
  assert.deepEqual(parseNvidiaSmiCsv('index, uuid, name, memory.total [MiB]\n'), []);
});

test('concurrent leases never share a device, and every lease comes back, failures included', async () => {
  const leases = new GpuLeases(parseNvidiaSmiCsv(FAKE_NVIDIA_SMI));
  const inUse = new Set<string>();
  let peak = 0;
  let failures = 0;
  const episode = async (i: number) => {
    const lease = await leases.acquire(1 + (i % 3));
    try {
      for (const uuid of lease.uuids) {
        assert.equal(inUse.has(uuid), false, `${uuid} leased twice`);
        inUse.add(uuid);
      }
      peak = Math.max(peak, inUse.size);
      await sleep(1 + ((i * 7) % 5));
      if (i % 4 === 0) throw new Error('episode failed');
    } finally {
      for (const uuid of lease.uuids) inUse.delete(uuid);
      assert.ok(lease.release() >= 0);
      assert.equal(lease.release(), 0, 'a second release is a no-op');
    }
  };
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => episode(i)));
  failures = results.filter((result) => result.status === 'rejected').length;
  assert.equal(failures, 10);
  assert.equal(leases.available, 4, 'all devices are back');
  assert.ok(peak >= 3, `devices were used in parallel (peak ${peak})`);
});

test('requests queue in order while devices are busy; zero GPUs never waits; too many is an error', async () => {
  const leases = new GpuLeases(parseNvidiaSmiCsv(FAKE_NVIDIA_SMI));
  const first = await leases.acquire(3);
  const order: string[] = [];
  const big = leases.acquire(2).then((lease) => {
    order.push('big');
    return lease;
  });
  const small = leases.acquire(1).then((lease) => {
    order.push('small');
    return lease;
  });
  const none = await leases.acquire(0);
  assert.deepEqual(none.uuids, []);
  // Grants happen synchronously in acquire/release; one turn of the event loop runs every callback of a lease
  // already granted, so an empty `order` then means none was, and the free device is still free.
  await settled();
  assert.deepEqual(order, [], 'the 2-GPU request waits, and the 1-GPU request does not overtake it');
  assert.equal(leases.available, 1, 'the one free device is not handed to the 1-GPU request');
  first.release();
  (await big).release();
  (await small).release();
  assert.deepEqual(order, ['big', 'small']);
  assert.throws(() => leases.acquire(5), /5 GPUs requested, but this machine has 4/);
});

test("the created container's DeviceRequests hold exactly the leased UUIDs (inspected, not started)", async () => {
  const leases = new GpuLeases(parseNvidiaSmiCsv(FAKE_NVIDIA_SMI));
  await leases.acquire(1);
  const lease = await leases.acquire(2);
  const docker = dockerClient();
  const container = await docker.createContainer(containerOptions({ image: TEST_IMAGE, gpus: lease.uuids }, false));
  try {
    const { HostConfig } = await container.inspect();
    assert.deepEqual(HostConfig.DeviceRequests, [{ Driver: 'nvidia', Count: 0, DeviceIDs: [...lease.uuids], Capabilities: [['gpu']], Options: null }]);
    assert.deepEqual(lease.uuids, ['GPU-22222222-aaaa-bbbb-cccc-000000000000', 'GPU-33333333-aaaa-bbbb-cccc-000000000000']);
  } finally {
    await container.remove({ force: true });
    lease.release();
  }
});
