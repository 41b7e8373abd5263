/**
 * The warm pool's reset against an agent that plants state for later episodes: a process that forks again, shell
 * dotfiles, a .pth file, files in every scratch place, SysV IPC. The next episode on the same container finds none of
 * it, and the planted process never runs again; a reset that cannot prove the sandbox clean discards it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EnvTask } from '../../src/env/index.js';
import { WarmPool } from '../../src/generate/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const task: EnvTask = {
  id: 'cleanReset',
  image: TEST_IMAGE,
  description: 'clean reset',
  workspace: [],
  evaluator: { evaluate: () => Promise.reject(new Error('not evaluated here')) },
};

// A process that forks a fresh copy of itself every few ms (no pid lives long) and leaves a heartbeat where the
// next episode would look: in the workspace, and in /dev/shm.
const PLANT = `
cat > /tmp/respawn.sh <<'EOF'
while :; do date +%s%N > /home/agent/workspace/heartbeat; date > /dev/shm/heartbeat; sh /tmp/respawn.sh & exit 0; done
EOF
cp /tmp/respawn.sh /var/tmp/respawn.sh
nohup sh /tmp/respawn.sh >/dev/null 2>&1 &
echo 'touch /tmp/bashrc-ran' >> ~/.bashrc
echo 'touch /tmp/profile-ran' >> ~/.profile
site=$(python3 -m site --user-site) && mkdir -p "$site" && echo 'import os; open("/tmp/pth-ran", "w")' > "$site/planted.pth"
touch /tmp/planted /var/tmp/planted /dev/shm/planted /dev/mqueue/planted ~/workspace/planted
python3 -c 'import ctypes; assert ctypes.CDLL(None).shmget(0x4c47, 4096, 0o1666) >= 0'
ipcs -m | grep -c 0x00004c47
python3 -c 'import os; [os.setxattr(p, "user.planted", b"carried over") for p in ("/home/agent", "/home/agent/workspace")]'
`;

const LOOK = `
ps -u agent -o pid=,args= | grep -v -e 'ps -u' -e grep -e __labgym_dir
ls -A /tmp /var/tmp /dev/shm /dev/mqueue ~/workspace
python3 -c pass; bash -lic true 2>/dev/null; ls /tmp
ls -A ~; grep -c touch ~/.bashrc ~/.profile; ls "$(python3 -m site --user-site)" 2>&1
ipcs -m | grep -c 0x00004c47
python3 -c 'import os; print("xattrs:", [n for p in ("/home/agent", "/home/agent/workspace") for n in os.listxattr(p)])'
`;

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < timeoutMs && !check(); ) await sleep(50);
  assert.ok(check(), what);
}

test('a warm sandbox comes back with nothing the last agent planted, and its process never runs again', { timeout: 300_000 }, async () => {
  // Two containers only (later spares fail to start): with both taken, the one given back is the next handed out.
  let made = 0;
  const pool = new WarmPool({
    perImage: 1,
    create: (params) => (made++ < 2 ? createSandbox(params) : Promise.reject(new Error('two containers only'))),
  });
  try {
    const first = await pool.acquire(task);
    await waitFor('the spare is ready', () => pool.idleCount === 1);
    const other = await pool.acquire(task);
    const planted = await first.exec(PLANT, { timeoutMs: 60_000 });
    assert.equal(planted.exitCode, 0, planted.output);
    assert.match(planted.output, /^1$/m, 'the SysV segment exists');
    const beating = await first.run(['cat', '/home/agent/workspace/heartbeat']);
    assert.equal(beating.exitCode, 0, 'the planted process runs');

    const dirty = await first.exec(LOOK, { timeoutMs: 60_000 });
    for (const sign of ['respawn', 'heartbeat', 'planted', 'pth-ran', 'bashrc-ran', 'profile-ran', 'planted.pth', "'user.planted'"])
      assert.ok(dirty.output.includes(sign), `before the reset the sandbox shows ${sign}:\n${dirty.output}`);

    await pool.release(first);
    await waitFor('the sandbox is back in the pool', () => pool.idleCount === 1);
    const second = await pool.acquire(task);
    assert.equal(second.id, first.id, 'the same container, recycled');
    const acquisition = pool.acquisitionOf(second);
    assert.equal(acquisition?.warm, true);
    assert.ok((acquisition?.resetMs ?? 0) > 0, 'the reset time is recorded');

    await sleep(1000); // a surviving copy would have written its heartbeat by now
    const look = await second.exec(LOOK, { timeoutMs: 60_000 });
    const lines = look.output.split('\n');
    assert.deepEqual(
      lines.filter((line) => /planted|heartbeat|respawn|-ran/.test(line)),
      [],
      `nothing planted survives:\n${look.output}`,
    );
    assert.match(look.output, /\.bashrc[\s\S]*\.profile[\s\S]*workspace/, 'the home skeleton is back');
    assert.match(look.output, /\.bashrc:0\n.*\.profile:0/, 'the dotfiles are the image’s');
    assert.match(look.output, /^0$/m, 'no SysV segment');
    assert.match(look.output, /^xattrs: \[\]$/m, 'no extended attribute on the home or the workspace');
    assert.match(look.output, /No such file or directory/, 'no user site-packages');
    await pool.release(second);
    await pool.release(other);
  } finally {
    await pool.close();
  }
});

/** A pool whose sandbox, given back after `plant` ran in it as root, cannot be proven clean: it must be discarded. */
async function discardedAfter(plant: string): Promise<void> {
  // Two containers, both taken, so nothing but a failed reset makes the pool drop the one given back.
  let allowed = 2;
  const pool = new WarmPool({
    perImage: 1,
    create: (params) => (allowed-- > 0 ? createSandbox(params) : Promise.reject(new Error('no more containers now'))),
  });
  try {
    const first = await pool.acquire(task);
    await waitFor('the spare is ready', () => pool.idleCount === 1);
    const other = await pool.acquire(task);
    const planted = await first.run(['bash', '-c', plant]);
    assert.equal(planted.exitCode, 0, planted.stderr);
    await pool.release(first);
    await waitFor('the sandbox given back is discarded', () => pool.liveCount === 1);
    assert.equal(pool.idleCount, 0);
    await assert.rejects(first.run(['true']), /closed/, 'the sandbox was closed');
    allowed = 2; // the new container and its spare
    const next = await pool.acquire(task);
    assert.equal(pool.acquisitionOf(next)?.warm, false, 'the next episode gets a new container');
    await pool.release(next);
    await pool.release(other);
  } finally {
    await pool.close();
  }
}

test('a reset that cannot kill a process of the agent discards the sandbox', { timeout: 300_000 }, async () => {
  // Effective uid 1000, real and saved uid 0: the agent's kill(-1) cannot signal it, the proof still sees it.
  await discardedAfter(`python3 -c 'import os, time; os.setresuid(0, 1000, 0); time.sleep(600)' >/dev/null 2>&1 & sleep 0.5`);
});

test('a reset whose proof fails discards the sandbox', { timeout: 300_000 }, async () => {
  // The agent's file in a place the wipe does not empty (only the harness could have put it there).
  await discardedAfter('install -o 1000 -g 1000 /dev/null /run/labgym/planted');
});
