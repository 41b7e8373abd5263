/**
 * Red-team inputs end as one `labgym: ...` line on stderr, exit status 2, no stack trace, and before any episode
 * runs; a full disk or a read-only folder loses nothing already stored.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { readJournal, readRunEpisodes } from '../../src/store/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'labgym-errors-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function labgym(args: string[], timeout = 120_000) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command fails with exactly `line` as the whole of stderr and exit status 2. */
function assertOneLine(args: string[], line: string): void {
  const result = labgym(args, 60_000);
  assert.equal(result.stderr, `${line}\n`, args.join(' '));
  assert.equal(result.status, 2, args.join(' '));
}

let specs = 0;
/** A small spec file (one cheap task at the reduced scale) with `changes` merged in. */
function specFile(changes: Record<string, unknown> = {}, text?: string): string {
  const file = join(scratch, `spec-${specs++}.yaml`);
  const spec = {
    schemaVersion: 1,
    name: 'errors',
    tasks: ['numberGuess'],
    models: [{ name: 'scripted' }],
    seeds: { count: 2 },
    scale: 'reduced',
    agent: { maxSteps: 3 },
    resources: { gpus: 'none' },
    warmPool: { perImage: 0, evaluators: 0 },
    output: { dir: join(scratch, 'runs') },
    ...changes,
  };
  writeFileSync(file, text ?? stringify(spec));
  return file;
}

function mount(args: string[]): boolean {
  try {
    execFileSync('mount', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('an unknown flag is one line naming the help to read', () => {
  assertOneLine(['generate', '--foo'], "labgym: unknown option '--foo' (see labgym generate --help)");
  assertOneLine(['tasks', 'check', '--foo'], "labgym: unknown option '--foo' (see labgym tasks check --help)");
});

test('run refuses seeds and temperatures out of range before any episode', () => {
  const run = ['run', '--task', 'numberGuess', '--model', 'scripted', '--out', join(scratch, 'never')];
  assertOneLine([...run, '--seed', '-1'], 'labgym: --seed: expected an integer from 0 to 2147483647, got "-1"');
  assertOneLine([...run, '--seed', '99999999999999999999'], 'labgym: --seed: expected an integer from 0 to 2147483647, got "99999999999999999999"');
  assertOneLine([...run, '--temperature', '-3'], 'labgym: --temperature: expected a number from 0 to 2, got "-3"');
  assert.throws(() => readdirSync(join(scratch, 'never')), /ENOENT/);
});

test('spec problems read as file: field: expected ..., got ...', () => {
  const temperature = specFile({ models: [{ name: 'scripted', sampling: { temperature: -3 } }] });
  assertOneLine(['generate', '-c', temperature], `labgym: ${temperature}: models[0].sampling.temperature: expected a number ≥ 0, got -3`);
  const seeds = specFile({ seeds: 5 });
  assertOneLine(['generate', '-c', seeds], `labgym: ${seeds}: seeds: expected a list of seeds or { from, count }, got 5`);
  const hugeSeed = specFile({ seeds: [1e30] });
  assertOneLine(['generate', '-c', hugeSeed], `labgym: ${hugeSeed}: seeds[0]: expected a number ≤ 2147483647, got 1e+30`);
  const url = specFile({ models: [{ name: 'gpt', baseUrl: 'not a url' }] });
  assertOneLine(['generate', '-c', url], `labgym: ${url}: models[0].baseUrl: expected a URL such as http://localhost:8000/v1, got "not a url"`);
});

test('a hundred million episodes are refused before any job is made', () => {
  const file = specFile({ seeds: { count: 100_000_000 } });
  assertOneLine(
    ['generate', '-c', file],
    `labgym: ${file}: seeds: expected at most 100000 episodes per run (tasks × models × seeds × attempts = 100000000); split the work into several runs`,
  );
});

test('a billion-laughs YAML is refused before its aliases are expanded', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
    levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  const file = specFile({}, `${levels.join('\n')}\n`);
  assertOneLine(['generate', '-c', file], `labgym: ${file}: (root): expected YAML with at most 100 alias expansions, got more (an alias bomb?)`);
});

test('an output folder under /proc fails at once instead of hanging', () => {
  const file = specFile({ output: { dir: '/proc/labgym-errors/runs' } });
  assertOneLine(['generate', '-c', file], 'labgym: cannot mkdir /proc/labgym-errors: no such file or folder (ENOENT)');
  assertOneLine(
    ['run', '--task', 'numberGuess', '--model', 'scripted', '--out', '/proc/labgym-errors/out'],
    'labgym: cannot mkdir /proc/labgym-errors: no such file or folder (ENOENT)',
  );
});

test('a read-only output folder is one line, and a read-only run keeps what it stores', (t) => {
  const readOnly = join(scratch, 'read-only');
  mkdirSync(readOnly);
  if (!mount(['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', readOnly])) return t.skip('needs root to mount a read-only tmpfs');
  try {
    assertOneLine(
      ['generate', '-c', specFile({ output: { dir: join(readOnly, 'runs') } })],
      `labgym: cannot mkdir ${readOnly}/runs: read-only file system (EROFS)`,
    );
    assertOneLine(
      ['run', '--task', 'numberGuess', '--model', 'scripted', '--out', readOnly],
      `labgym: cannot write to ${readOnly}: read-only file system (EROFS)`,
    );
  } finally {
    mount(['-t', 'tmpfs', '-o', 'remount,rw', 'tmpfs', readOnly]);
    execFileSync('umount', [readOnly]);
  }

  // A run folder made read-only: --resume is refused at its lock, and its files are unchanged.
  const run = join(scratch, 'stored-run');
  mkdirSync(join(run, 'episodes'), { recursive: true });
  writeFileSync(join(run, 'spec.yaml'), readFileSync(specFile(), 'utf8'));
  writeFileSync(join(run, 'episodes', 'shard.jsonl'), '{"kept":true}\n');
  const view = join(scratch, 'stored-run-view');
  mkdirSync(view);
  assert.ok(mount(['--bind', run, view]));
  try {
    assert.ok(mount(['-o', 'remount,bind,ro', view]));
    assertOneLine(['generate', '--resume', view], `labgym: cannot open ${view}/.lock: read-only file system (EROFS)`);
  } finally {
    execFileSync('umount', [view]);
  }
  assert.equal(readFileSync(join(run, 'episodes', 'shard.jsonl'), 'utf8'), '{"kept":true}\n');
});

test('show makes terminal escape sequences in observations visible', () => {
  const file = join(scratch, 'numberGuess.traj');
  const traj = JSON.parse(readFileSync('tests/fixtures/mlgym/scripted__numberGuess__run_0/numberGuess.traj', 'utf8'));
  traj.trajectory[0].observation = 'before\u001b]0;pwned\u0007\u001b[2Jafter\ttab\r\nnext';
  writeFileSync(file, JSON.stringify(traj));
  const result = labgym(['show', file]);
  assert.equal(result.status, 0, result.stderr);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(result.stdout), 'no control character reaches the terminal');
  assert.match(result.stdout, /before\\x1b\]0;pwned\\x07\\x1b\[2Jafter\ttab\\x0d\n/);
});

test('a disk that fills up mid-run ends in one line and keeps every episode stored before', { timeout: 300_000 }, async (t) => {
  const disk = join(scratch, 'small-disk');
  mkdirSync(disk);
  if (!mount(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk])) return t.skip('needs root to mount a tmpfs');
  try {
    // Room for the spec, the journal and about one episode record (12 KiB); a later record does not fit.
    execFileSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=4k', `count=${256 - 9}`], { stdio: 'ignore' });
    const file = specFile({ seeds: { count: 3 }, concurrency: { episodes: 1 }, output: { dir: join(disk, 'runs') } });
    const result = labgym(['generate', '-c', file], 240_000);
    assert.equal(result.status, 2, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    const last = result.stderr.trimEnd().split('\n').at(-1)!;
    assert.match(
      last,
      /^labgym: cannot write \S+ \(ENOSPC: no space left on device, write\); the episodes stored before are kept: fix it, then labgym generate --resume \S+$/,
    );
    const runDir = join(disk, 'runs', readdirSync(join(disk, 'runs'))[0]!);
    const stored = new Set((await readRunEpisodes(runDir)).records.map((record) => record.episodeId));
    const finished = (await readJournal(runDir)).filter((entry) => entry.event === 'episode-finished');
    for (const entry of finished) assert.ok(stored.has(entry.episodeId), `episode ${entry.episodeId} was reported finished and is still stored`);
  } finally {
    execFileSync('umount', [disk]);
  }
});
