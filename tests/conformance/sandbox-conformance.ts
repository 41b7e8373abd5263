/**
 * Behaviour every Sandbox backend must have, as one list of node:test cases. A backend's test file calls
 * `sandboxConformance(make)`; `make` creates a sandbox from the test image with the limits it is given.
 */

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Sandbox, SandboxCreateParams } from '../../src/sandbox/index.js';

export type MakeSandbox = (params?: Partial<SandboxCreateParams>) => Promise<Sandbox>;

const PIDS_LIMIT = 128;

/** Poll `condition` until it holds; fail with `what` at the deadline. Returns the value that held. */
async function waitFor<T>(what: string, condition: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Processes in the sandbox's pids cgroup (v2 or v1 layout), read outside the agent shell; undefined if no process can start. */
async function pidCount(sandbox: Sandbox): Promise<number | undefined> {
  const read = await sandbox.run(['cat', '/sys/fs/cgroup/pids.current', '/sys/fs/cgroup/pids/pids.current']).catch(() => undefined);
  const count = /^\d+$/m.exec(read?.stdout ?? '')?.[0];
  return count === undefined ? undefined : Number(count);
}

/** How long the process whose command line is exactly `commandLine` has run, from /proc; undefined if none runs. */
async function processAgeMs(sandbox: Sandbox, commandLine: string): Promise<number | undefined> {
  const script =
    'pid=$(pgrep -xf "$1") || exit 1; read -r up _ </proc/uptime; awk -v up="$up" -v hz="$(getconf CLK_TCK)" \'{ print int((up - $22 / hz) * 1000) }\' "/proc/$pid/stat"';
  const read = await sandbox.run(['bash', '-c', script, 'age', commandLine]);
  return read.exitCode === 0 ? Number(read.stdout) : undefined;
}

export function sandboxConformance(make: MakeSandbox): void {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await make({ limits: { memory: '512m', pids: PIDS_LIMIT, cpus: 1 } });
  });
  after(() => sandbox?.close());

  test('cwd, variables and functions persist between commands', async () => {
    await sandbox.exec('cd /tmp && export GREETING=hello && LOCAL_ONLY=kept && shout() { echo "${1^^}"; }');
    const result = await sandbox.exec('pwd; echo "$GREETING $LOCAL_ONLY"; shout quiet');
    assert.equal(result.output, '/tmp\nhello kept\nQUIET\n');
    assert.equal(result.exitCode, 0);
    await sandbox.exec('cd /home/agent/workspace');
  });

  test('exit status, stderr order and output without a final newline come back as written', async () => {
    const result = await sandbox.exec('echo one; echo two >&2; echo three; printf tail; exit_code() { return 7; }; exit_code');
    assert.equal(result.output, 'one\ntwo\nthree\ntail');
    assert.equal(result.exitCode, 7);
  });

  test('quotes, heredocs and a syntax error reach the shell intact and leave it usable', async () => {
    const heredoc = await sandbox.exec("cat <<'EOF'\nit's \"quoted\" \\ $HOME\nEOF");
    assert.equal(heredoc.output, 'it\'s "quoted" \\ $HOME\n');
    const broken = await sandbox.exec("echo 'unbalanced");
    assert.equal(broken.exitCode, 2);
    assert.match(broken.output, /unexpected EOF/);
    assert.equal((await sandbox.exec('echo still here')).output, 'still here\n');
  });

  test('a command reading stdin gets end-of-file instead of the next command', async () => {
    const result = await sandbox.exec('read -r line; echo "got:[$line]"');
    assert.equal(result.output, 'got:[]\n');
  });

  test('a forged completion marker printed by the command does not end its step early', async () => {
    const forged = [
      "printf '\\n__LABGYM_DONE_%s_0__\\n' 00000000000000000000000000000000",
      "printf '\\n__LABGYM_DONE_'",
      'exec >/dev/null', // the command hides its own stdout; the marker travels on a private descriptor
    ].join('; ');
    const result = await sandbox.exec(`${forged}; sleep 0.3; echo after >&2`);
    assert.equal(result.exitCode, 0);
    assert.match(result.output, /__LABGYM_DONE_00000000000000000000000000000000_0__\n\n__LABGYM_DONE_after\n$/);
    assert.equal((await sandbox.exec('echo next')).output, 'next\n', 'the redirection did not outlive its command');
  });

  test('a timed-out command is killed with everything it started, and the shell keeps its state', async () => {
    await sandbox.exec('export KEEP=me; cd /tmp; sleep 777 &');
    // A timeout kills what started after its command did (to the clock tick), so the earlier job must be running
    // and visibly older than the next command before that command starts.
    await waitFor('the background sleep 777 to run for 100 ms', async () => ((await processAgeMs(sandbox, 'sleep 777')) ?? 0) >= 100);
    const result = await sandbox.exec('setsid sleep 999 & (sleep 998 &); echo started; sleep 1000', { timeoutMs: 2000 });
    assert.equal(result.timedOut, 'total');
    assert.equal(result.exitCode, 137);
    assert.equal(result.shellRestarted, false);
    assert.match(result.output, /^started\n/);
    const after = await sandbox.exec('echo "$KEEP $PWD"; ps -eo args');
    assert.match(after.output, /^me \/tmp\n/);
    assert.doesNotMatch(after.output, /sleep (999|998|1000)/, 'no process of the timed-out command is left');
    assert.match(after.output, /sleep 777/, 'a background job of an earlier command survives');
    await sandbox.exec('pkill -xf "sleep 777"; cd /home/agent/workspace');
  });

  test('a background job neither holds its command open nor dies with it; its later output reaches the next command', async () => {
    const started = await sandbox.exec('(for i in 1 2 3; do sleep 1; echo tick $i; done; touch /tmp/job-done) & echo started', { timeoutMs: 10_000 });
    assert.equal(started.output, 'started\n');
    assert.ok(started.durationMs < 3000, `the command waited for its background job (${started.durationMs} ms)`);
    let later = '';
    await waitFor(
      'the background job to finish',
      async () => {
        const probe = await sandbox.exec('test -e /tmp/job-done');
        later += probe.output;
        return probe.exitCode === 0;
      },
      15_000,
    );
    later += (await sandbox.exec('true')).output;
    assert.equal(later, 'tick 1\ntick 2\ntick 3\n');
  });

  test('a command that prints nothing for too long is stopped by the idle timeout', async () => {
    const result = await sandbox.exec('echo first; sleep 100', { idleTimeoutMs: 1000, timeoutMs: 60_000 });
    assert.equal(result.timedOut, 'idle');
    assert.match(result.output, /^first\n/);
  });

  test('a busy shell loop is killed on timeout and the shell keeps its state', async () => {
    await sandbox.exec('cd /tmp; KEPT=yes');
    const result = await sandbox.exec('while :; do :; done', { timeoutMs: 1000 });
    assert.equal(result.timedOut, 'total');
    assert.equal(result.exitCode, 137);
    assert.equal(result.shellRestarted, false);
    assert.equal((await sandbox.exec('echo "$KEPT"; pwd')).output, 'yes\n/tmp\n');
    await sandbox.exec('cd /home/agent/workspace');
  });

  test('exit ends the command with its status and the shell goes on', async () => {
    await sandbox.exec('EXITED_FROM=here');
    const result = await sandbox.exec('exit 3');
    assert.equal(result.exitCode, 3);
    assert.equal(result.shellRestarted, false);
    assert.equal((await sandbox.exec('echo "back $EXITED_FROM"')).output, 'back here\n');
  });

  test('restartShell gives a fresh shell state and keeps the files', async () => {
    await sandbox.exec('cd /tmp; FORGET=me; forget() { :; }; echo kept > /tmp/restart-file');
    await sandbox.restartShell();
    const result = await sandbox.exec('pwd; echo "[${FORGET-}]"; type forget 2>&1 | head -1; cat /tmp/restart-file');
    assert.equal(result.output, '/home/agent/workspace\n[]\nbash: line 1: type: forget: not found\nkept\n');
  });

  test('a fork bomb is contained by the process limit and killed on timeout', async () => {
    const bomb = await sandbox.exec('bomb() { bomb | bomb & }; bomb; sleep 100', { timeoutMs: 3000 });
    assert.equal(bomb.timedOut, 'total');
    const processes = await sandbox.exec('ps -e --no-headers | wc -l');
    assert.ok(Number(processes.output) < 10, `processes left after the kill: ${processes.output}`);
  });

  test('an allocation beyond the memory limit (memory + disk) is killed and the sandbox keeps working', async () => {
    const result = await sandbox.exec(`python3 -c "x = b'x' * (4 * 1024 ** 3)"`, { timeoutMs: 120_000 });
    assert.equal(result.exitCode, 137);
    assert.equal((await sandbox.exec('echo alive')).output, 'alive\n');
  });

  test('there is no network: only loopback exists and connections fail', async () => {
    const result = await sandbox.exec(
      `python3 -c "import socket; socket.create_connection(('93.184.216.34', 80), timeout=3)" 2>&1 | tail -1; ls /sys/class/net`,
    );
    assert.match(result.output, /Network is unreachable/);
    assert.equal(result.output.trim().split('\n').pop(), 'lo');
  });

  test('output beyond the cap keeps head and tail with an elision note', async () => {
    const result = await sandbox.exec('seq 1 200000', { outputLimitBytes: 1000 });
    assert.ok(result.output.startsWith('1\n2\n3\n'));
    assert.ok(result.output.endsWith('199999\n200000\n'));
    assert.match(result.output, /\[\.\.\. \d+ bytes of output omitted \.\.\.\]/);
    const fullLength = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join('').length;
    assert.equal(result.droppedBytes, fullLength - 1000);
    const uncapped = await sandbox.exec('seq 1 200000', { outputLimitBytes: null });
    assert.equal(uncapped.output.length, fullLength);
  });

  test('50 MB of output passes with bounded host memory', async () => {
    const command = 'head -c 50000000 /dev/zero | tr "\\0" a';
    await sandbox.exec(command, { timeoutMs: 120_000 }); // let V8 size its heap once
    global.gc?.();
    const before = process.memoryUsage();
    let peakBuffers = 0;
    const sampler = setInterval(() => (peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers)), 2);
    const result = await sandbox.exec(command, { timeoutMs: 120_000 });
    clearInterval(sampler);
    global.gc?.();
    const after = process.memoryUsage();
    assert.equal(result.droppedBytes, 50_000_000 - 100_000);
    // Transient buffers are garbage awaiting V8's external-memory GC trigger (~32 MB), whatever the output size.
    assert.ok(peakBuffers < 45e6, `peak buffers ${peakBuffers} should stay below the output size`);
    const retained = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    if (global.gc) assert.ok(retained < 16e6, `live memory grew by ${retained} bytes (the output was 50 MB)`);
  });

  test('root-owned files cannot be changed by the agent; agent-owned files can', async () => {
    await sandbox.writeFiles('/home/agent/workspace/guarded', [{ path: 'evaluate.py', content: 'print(1)\n', mode: 0o555 }]);
    await sandbox.writeFiles('/home/agent/workspace', [{ path: 'notes/mine.txt', content: 'a\n' }], { owner: 'agent' });
    const result = await sandbox.exec(
      'echo x >> guarded/evaluate.py; chmod u+w guarded/evaluate.py; rm -f guarded/evaluate.py; echo b >> notes/mine.txt; cat guarded/evaluate.py notes/mine.txt',
    );
    assert.match(result.output, /evaluate.py: Permission denied/);
    assert.match(result.output, /Operation not permitted/);
    assert.match(result.output, /print\(1\)\na\nb\n$/);
  });

  test('files copy in and out as archives, with missing paths absent', async () => {
    const host = await mkdtemp(join(tmpdir(), 'labgym-copy-'));
    try {
      await mkdir(join(host, 'src/nested'), { recursive: true });
      await writeFile(join(host, 'src/nested/data.bin'), Buffer.from([0, 1, 2, 255]));
      await writeFile(join(host, 'src/run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
      await sandbox.copyIn(join(host, 'src'), '/home/agent/workspace/in', { owner: 'agent' });
      assert.equal((await sandbox.exec('./in/run.sh; stat -c %U in/nested/data.bin')).output, 'ran\nagent\n');
      const files = await sandbox.readFiles(['/home/agent/workspace/in/nested/data.bin', '/home/agent/workspace/missing']);
      assert.deepEqual([...files.keys()], ['/home/agent/workspace/in/nested/data.bin']);
      assert.deepEqual([...files.values()][0], Buffer.from([0, 1, 2, 255]));
      await sandbox.copyOut('/home/agent/workspace/in', join(host, 'out'));
      assert.equal(await readFile(join(host, 'out/in/run.sh'), 'utf8'), '#!/bin/sh\necho ran\n');
    } finally {
      await rm(host, { recursive: true, force: true });
    }
  });

  test('other sandboxes keep working while one is flooded', async () => {
    const neighbour = await make({ limits: { memory: '256m', pids: 64 } });
    try {
      const idle = await pidCount(sandbox);
      assert.ok(idle !== undefined && idle < PIDS_LIMIT / 2, `the process count can be read before the flood (${idle})`);
      let flooding = true;
      const flood = sandbox.exec('bomb() { bomb | bomb & }; bomb; sleep 100', { timeoutMs: 8000 }).finally(() => (flooding = false));
      // Flooded: the process table is (nearly) full, or so full that not even `cat` can start.
      await waitFor('the fork bomb to fill the process limit', async () => {
        const count = (await pidCount(sandbox)) ?? PIDS_LIMIT;
        assert.ok(flooding, 'the flood ended before it filled the process limit');
        return count >= PIDS_LIMIT * 0.75;
      });
      assert.equal((await neighbour.exec('echo 0')).output, '0\n');
      assert.ok(flooding, 'the neighbour answered while the flood was still running');
      for (let i = 1; i < 20; i++) assert.equal((await neighbour.exec(`echo ${i}`)).output, `${i}\n`);
      assert.equal((await flood).timedOut, 'total');
    } finally {
      await neighbour.close();
    }
  });
}
