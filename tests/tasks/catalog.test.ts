/**
 * The task and dataset formats: every catalog task validates, and bad input gives one clear error naming the
 * file and the field, with nothing half-built left behind.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError, PrerequisiteError } from '../../src/errors.js';
import { type CatalogDirs, listDatasetIds, listTaskIds, loadDataset, loadTask, prepareDataset } from '../../src/tasks/index.js';

const root = mkdtempSync(join(tmpdir(), 'labgym-catalog-'));
after(() => rmSync(root, { recursive: true, force: true }));

const validTask = {
  id: 'toy',
  name: 'Toy',
  description: 'A toy task. {dataset_docs}',
  starter_code: ['workspace/train.py'],
  metrics: [{ name: 'accuracy', direction: 'maximize', primary: true }],
  submission: { artifacts: ['submission.csv'] },
  evaluation: { command: 'python3 evaluate.py', files: ['evaluator/evaluate.py'] },
};

/** A fresh catalog holding one task (and optionally datasets); returns its dirs. */
function catalog(task: Record<string, unknown>, datasets: Record<string, Record<string, unknown>> = {}): CatalogDirs {
  const dirs = { tasks: mkdtempSync(join(root, 'tasks-')), datasets: mkdtempSync(join(root, 'datasets-')) };
  const taskDir = join(dirs.tasks, String(task.id));
  mkdirSync(join(taskDir, 'workspace'), { recursive: true });
  mkdirSync(join(taskDir, 'evaluator'));
  writeFileSync(join(taskDir, 'workspace', 'train.py'), 'print(1)\n');
  writeFileSync(join(taskDir, 'evaluator', 'evaluate.py'), 'print(1)\n');
  writeFileSync(join(taskDir, 'task.yaml'), stringify(task));
  for (const [id, dataset] of Object.entries(datasets)) {
    writeFileSync(join(dirs.datasets, `${id}.yaml`), stringify(dataset));
    writeFileSync(join(dirs.datasets, `${id}.py`), 'print(1)\n');
  }
  return dirs;
}

function expectConfigError(load: () => unknown, file: RegExp, field: string, message: RegExp): void {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
    assert.match(error.file, file);
    assert.equal(error.path, field);
    assert.match(error.message, message);
    assert.equal(error.message.includes('\n'), false, 'one line');
    return true;
  });
}

describe('the catalog', () => {
  test('every task and dataset in tasks/ and datasets/ validates', () => {
    const tasks = listTaskIds();
    assert.ok(tasks.includes('titanic') && tasks.includes('battleOfSexes'), `tasks found: ${tasks.join(', ')}`);
    for (const id of tasks) assert.equal(loadTask(id).config.id, id);
    for (const id of listDatasetIds()) assert.equal(loadDataset(id).config.id, id);
  });

  test('a valid task loads with defaults filled in', () => {
    const { config } = loadTask('toy', catalog(validTask));
    assert.equal(config.training_timeout, 1800);
    assert.equal(config.evaluation.metrics_from, 'file');
    assert.deepEqual(config.resources, { gpus: 0, cpus: 2, memory: '4g' });
  });
});

describe('bad task.yaml: one error naming file and field', () => {
  test('a missing field', () => {
    const { metrics: _, ...task } = validTask;
    expectConfigError(() => loadTask('toy', catalog(task)), /toy\/task\.yaml$/, 'metrics', /metrics: expected this required field \(array\), got nothing/);
  });

  test('a wrong type', () => {
    expectConfigError(
      () => loadTask('toy', catalog({ ...validTask, training_timeout: 'long' })),
      /task\.yaml$/,
      'training_timeout',
      /training_timeout: expected a number, got "long"/,
    );
  });

  test('an unknown metric direction', () => {
    const task = { ...validTask, metrics: [{ name: 'accuracy', direction: 'up' }] };
    expectConfigError(() => loadTask('toy', catalog(task)), /task\.yaml$/, 'metrics[0].direction', /one of "maximize"\|"minimize", got "up"/);
  });

  test('a starter path that escapes the task folder', () => {
    expectConfigError(
      () => loadTask('toy', catalog({ ...validTask, starter_code: ['../../etc/passwd'] })),
      /task\.yaml$/,
      'starter_code[0]',
      /inside the task or dataset folder/,
    );
    const dirs = catalog({ ...validTask, starter_code: ['workspace/link'] });
    symlinkSync('/etc', join(dirs.tasks, 'toy', 'workspace', 'link'));
    expectConfigError(() => loadTask('toy', dirs), /task\.yaml$/, 'starter_code[0]', /links outside/);
  });

  test('a file that does not exist, an unknown field, an id that is not the folder, an unknown dataset', () => {
    expectConfigError(
      () => loadTask('toy', catalog({ ...validTask, starter_code: ['workspace/nope.py'] })),
      /task\.yaml$/,
      'starter_code[0]',
      /an existing file or folder/,
    );
    expectConfigError(() => loadTask('toy', catalog({ ...validTask, epochs: 3 })), /task\.yaml$/, '', /no field "epochs"/);
    const dirs = catalog({ ...validTask, id: 'other' });
    mkdirSync(join(dirs.tasks, 'toy'));
    writeFileSync(join(dirs.tasks, 'toy', 'task.yaml'), stringify({ ...validTask, id: 'other' }));
    expectConfigError(() => loadTask('toy', dirs), /task\.yaml$/, 'id', /"toy" \(the task folder's name\)/);
    expectConfigError(
      () => loadTask('toy', catalog({ ...validTask, dataset_configs: ['nope'] })),
      /task\.yaml$/,
      'dataset_configs[0]',
      /a dataset defined in datasets/,
    );
  });

  test('invalid YAML names the line', () => {
    const dirs = catalog(validTask);
    writeFileSync(join(dirs.tasks, 'toy', 'task.yaml'), 'id: toy\nname: [unclosed\n');
    expectConfigError(() => loadTask('toy', dirs), /task\.yaml$/, 'line 3:1', /valid YAML/);
  });
});

describe('bad datasets', () => {
  const dataset = (source: Record<string, unknown>) => ({
    id: 'toydata',
    name: 'Toy data',
    description: 'toy',
    license: 'CC0',
    sources: [source],
    prepare: { script: 'toydata.py' },
    public: ['a.txt'],
    splits: { train: 1 },
  });

  test('a checksum that does not match: one error naming sources[0].sha256, nothing cached', async () => {
    const dirs = catalog({ ...validTask, dataset_configs: ['toydata'] }, { toydata: dataset({ local: 'data.bin', sha256: '0'.repeat(64) }) });
    const userDataDir = mkdtempSync(join(root, 'user-'));
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    writeFileSync(join(userDataDir, 'data.bin'), 'not the expected bytes');
    await assert.rejects(prepareDataset(loadDataset('toydata', dirs), { userDataDir, cacheDir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /toydata\.yaml: sources\[0\]\.sha256: expected the sha256 of .*data\.bin \(0{64}\), got [0-9a-f]{64}$/);
      return true;
    });
    assert.deepEqual(
      readdirSync(cacheDir).filter((name) => name !== 'downloads'),
      [],
    );
  });

  test('missing user data: names the dataset, the expected path and how to supply it', async () => {
    const dirs = catalog(validTask, { toydata: dataset({ local: 'big.tar.gz', sha256: 'a'.repeat(64), url: 'https://example.org/big.tar.gz' }) });
    const userDataDir = mkdtempSync(join(root, 'user-'));
    await assert.rejects(prepareDataset(loadDataset('toydata', dirs), { userDataDir, cacheDir: mkdtempSync(join(root, 'cache-')) }), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.ok(error.message.includes(`dataset toydata needs user-supplied data: big.tar.gz`));
      assert.ok(error.message.includes(join(userDataDir, 'big.tar.gz')));
      assert.match(error.message, /download it from https:\/\/example\.org\/big\.tar\.gz and place it there, or set LABGYM_USER_DATA/);
      return true;
    });
  });

  test('a preparation script that fails half-way leaves nothing behind', async () => {
    const dirs = catalog(validTask, { toydata: { ...dataset({}), sources: [] } });
    writeFileSync(
      join(dirs.datasets, 'toydata.py'),
      'import os\nos.makedirs("out/public")\nopen("out/public/a.txt", "w").write("half")\nraise SystemExit("disk full")\n',
    );
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    await assert.rejects(prepareDataset(loadDataset('toydata', dirs), { cacheDir }), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.match(error.message, /toydata\.yaml: prepare\.script: toydata\.py failed \(exit 1\): .*disk full/);
      return true;
    });
    assert.deepEqual(
      readdirSync(cacheDir).filter((name) => name !== 'downloads'),
      [],
    );
  });

  test('a preparation that does not produce what the YAML declares is refused', async () => {
    const dirs = catalog(validTask, { toydata: { ...dataset({}), sources: [], splits: { train: 5 } } });
    writeFileSync(
      join(dirs.datasets, 'toydata.py'),
      'import json, os\nos.makedirs("out/public")\nopen("out/public/a.txt", "w").write("x")\njson.dump({"train": 4}, open("out/splits.json", "w"))\n',
    );
    const cacheDir = mkdtempSync(join(root, 'cache-'));
    await assert.rejects(prepareDataset(loadDataset('toydata', dirs), { cacheDir }), /splits\.train: declared 5 rows, the preparation produced 4/);
    assert.deepEqual(
      readdirSync(cacheDir).filter((name) => name !== 'downloads'),
      [],
    );
  });
});
