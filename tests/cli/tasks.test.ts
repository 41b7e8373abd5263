import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { listTaskIds } from '../../src/tasks/index.js';

function labgym(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('tasks commands have --help', () => {
  for (const command of [
    ['tasks'],
    ['tasks', 'list'],
    ['tasks', 'show'],
    ['tasks', 'check'],
    ['tasks', 'prepare'],
    ['tasks', 'baseline'],
    ['tasks', 'import-mlgym'],
    ['schema'],
  ]) {
    const result = labgym([...command, '--help']);
    assert.equal(result.status, 0, command.join(' '));
    assert.match(result.stdout, /^Usage: labgym/);
  }
});

test('tasks check validates the whole catalog; tasks list --json lists every task', () => {
  const check = labgym(['tasks', 'check', '--json']);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const report = JSON.parse(check.stdout) as { ok: boolean; results: Array<{ kind: string; id: string; ok: boolean }> };
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.results.filter((r) => r.kind === 'task').map((r) => r.id),
    listTaskIds(),
  );
  const list = JSON.parse(labgym(['tasks', 'list', '--json']).stdout) as Array<{ id: string; metric: string }>;
  assert.deepEqual(
    list.map((row) => row.id),
    listTaskIds(),
  );
  assert.equal(list.find((row) => row.id === 'titanic')?.metric, 'accuracy (max)');
});

test('tasks show renders the task with its dataset; an unknown task is one line, exit 2', () => {
  const shown = labgym(['tasks', 'show', 'titanic']);
  assert.equal(shown.status, 0);
  assert.match(shown.stdout, /^titanic: Titanic Survival Prediction\n/);
  assert.match(shown.stdout, /dataset titanic: Titanic passengers \(stand-in for Kaggle/);
  const unknown = labgym(['tasks', 'show', 'noSuchTask']);
  assert.equal(unknown.status, 2);
  assert.match(
    unknown.stderr,
    /^labgym: .*tasks\/noSuchTask\/task\.yaml: \(root\): expected a task folder with task\.yaml \(known tasks: .*titanic.*\), got no such file\n$/,
  );
});

test('schema prints the JSON Schema of task.yaml and dataset YAML', () => {
  const task = JSON.parse(labgym(['schema', 'task']).stdout) as { type: string; required: string[]; properties: Record<string, { enum?: string[] }> };
  assert.equal(task.type, 'object');
  assert.ok(
    ['id', 'name', 'description', 'metrics', 'submission', 'evaluation'].every((field) => task.required.includes(field)),
    task.required.join(','),
  );
  const dataset = JSON.parse(labgym(['schema', 'dataset']).stdout) as { required: string[] };
  assert.ok(dataset.required.includes('prepare'));
  const bad = labgym(['schema', 'nope']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^labgym: schema: expected one of task, dataset/);
});
