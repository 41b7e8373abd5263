import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { TEST_IMAGE } from '../helpers/images.js';

function labgym(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { input, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('every command has --help', () => {
  for (const command of [[], ['env'], ['env', 'shell'], ['env', 'demo'], ['sandbox'], ['sandbox', 'gc'], ['images', 'build'], ['bench', 'step']]) {
    const result = labgym([...command, '--help']);
    assert.equal(result.status, 0, command.join(' '));
    assert.match(result.stdout, /^Usage: labgym/);
  }
});

test('user errors are one line on stderr with exit status 2 and no stack trace', () => {
  const cases: Array<[string[], RegExp, Record<string, string>?]> = [
    [['env', 'shell', '--image', 'labgym/no-such-image:0'], /^labgym: image labgym\/no-such-image:0 not found: build it with/],
    [
      ['env', 'shell', '--image', TEST_IMAGE, '--memory', 'lots'],
      /^labgym: invalid sandbox limits: memory: expected memory as a size like "512m" or "8g", got "lots"$/,
    ],
    [['env', 'shell', '--image', TEST_IMAGE, '--window', '0'], /^labgym: --window: expected a positive integer, got "0"$/],
    [
      ['sandbox', 'gc'],
      /^labgym: no Docker daemon answers at \/tmp\/labgym-none.sock: run scripts\/ensure-docker.sh/,
      { DOCKER_HOST: 'unix:///tmp/labgym-none.sock' },
    ],
  ];
  for (const [args, message, env] of cases) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env },
    });
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, message);
  }
});

test('env shell runs ACI and shell commands typed on stdin, multi-line edits included', () => {
  const session = labgym(['env', 'shell', '--image', TEST_IMAGE], 'create hello.py\nedit 1:1\nprint("hi")\nend_of_edit\npython3 hello.py\n\nexit\n');
  assert.equal(session.status, 0, session.stderr);
  assert.match(session.stdout, /File updated\. Please review the changes/);
  assert.match(session.stdout, /\nbash-\$ hi\n\(Open file: \/home\/agent\/workspace\/hello.py\)/);
});

test('sandbox gc --json reports what it removed', () => {
  const result = labgym(['sandbox', 'gc', '--json']);
  assert.equal(result.status, 0);
  assert.ok(Array.isArray(JSON.parse(result.stdout).removed));
});

test('the demo episode submits and prints its summary as JSON', () => {
  const result = labgym(['env', 'demo', '--json', '--image', TEST_IMAGE]);
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.exitStatus, 'submitted');
  assert.equal(summary.finalScore, -1);
  assert.equal(summary.trajectory.at(-1).terminated, true);
});
