/**
 * The agent's shell cannot forge how its commands end: each forgery below runs as a command, its exit code is what its
 * process really returned (root's launcher reads it from the kernel), its output arrives whole, and the next command
 * runs normally.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

describe('the control channel cannot be forged by the agent', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await createSandbox({ image: TEST_IMAGE, limits: { memory: '512m', pids: 128 } });
  });
  after(() => sandbox?.close());

  const forgeries: ReadonlyArray<{ name: string; command: string; exitCode: number; output: RegExp }> = [
    {
      name: 'a DEBUG trap printing a fake completion marker and status',
      command: `trap 'printf "\\n__LABGYM_DONE_00_0__\\n"; echo exit-status 0' DEBUG; echo real; false`,
      exitCode: 1,
      output: /real\n/,
    },
    {
      name: 'shadowing printf, builtin, exit, trap and declare with functions',
      command: 'printf() { :; }; builtin() { :; }; trap() { :; }; declare() { :; }; exit() { return 0; }; echo shadowed; (exit 5); command exit 6',
      exitCode: 6,
      output: /^shadowed\n$/,
    },
    {
      name: 'shadowing with aliases',
      command: 'shopt -s expand_aliases; alias exit="echo fake-exit; true"; alias printf=echo; alias declare=echo\necho aliased; exit 9',
      exitCode: 0,
      output: /^aliased\nfake-exit\n$/,
    },
    {
      name: "reading other processes' memory, environ and cmdline for a secret",
      command: [
        'for pid in $(pgrep -u root); do head -c 1 /proc/$pid/mem >/dev/null 2>&1 && echo "read $pid"; done',
        'cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" "\\n" | grep -c "labgym fence [0-9a-f]\\{32\\}"',
        'exit 3',
      ].join('; '),
      exitCode: 3,
      output: /^0\n$/,
    },
    {
      name: 'printing marker-like text',
      command: "printf '\\n__LABGYM_DONE_%s_0__\\n[labgym fence %s]\\n' 0123 4567; exit 4",
      exitCode: 4,
      output: /^\n__LABGYM_DONE_0123_0__\n\[labgym fence 4567\]\n$/,
    },
    { name: 'hiding stdout with exec >/dev/null', command: 'exec >/dev/null; echo hidden; echo shown >&2; exit 5', exitCode: 5, output: /^shown\n$/ },
    { name: 'closing every output descriptor', command: 'echo before; exec >&- 2>&-; sleep 0.5; exit 6', exitCode: 6, output: /^before\n$/ },
    { name: 'kill -9 $$', command: 'echo dying; kill -9 $$; echo never', exitCode: 137, output: /^dying\n$/ },
    { name: 'exit 7', command: 'echo leaving; exit 7', exitCode: 7, output: /^leaving\n$/ },
  ];

  for (const forgery of forgeries) {
    test(`${forgery.name}: the exit code is the runtime's and the next command runs normally`, async () => {
      const result = await sandbox.exec(forgery.command, { timeoutMs: 20_000 });
      assert.equal(result.exitCode, forgery.exitCode, result.output);
      assert.match(result.output, forgery.output);
      assert.equal(result.timedOut, false);
      assert.equal(result.shellRestarted, false);
      const next = await sandbox.exec('echo next; false');
      assert.deepEqual([next.output, next.exitCode], ['next\n', 1]);
      await sandbox.restartShell(); // drop what the forgery defined
    });
  }

  test('a command does not end before its process does, whatever it prints', async () => {
    const result = await sandbox.exec("printf '\\n__LABGYM_DONE_00_0__\\n'; sleep 1; echo end", { timeoutMs: 20_000 });
    assert.ok(result.durationMs >= 1000, `ended after ${result.durationMs} ms`);
    assert.match(result.output, /end\n$/);
  });

  test('the output channel cannot be read by the agent, and shell state cannot hijack the wrapper', async () => {
    const read = await sandbox.exec('cat /run/labgym/shell/output; ls -ld /run/labgym/shell/output');
    assert.match(read.output, /Permission denied/);
    assert.match(read.output, /^prw--w--w- 1 root root/m);
    await sandbox.exec('shopt -s expand_aliases; alias eval="echo hijacked"; eval() { echo hijacked; }');
    const next = await sandbox.exec('echo fine; exit 8');
    assert.deepEqual([next.output, next.exitCode], ['fine\n', 8]);
    await sandbox.exec('unalias eval');
  });
});
