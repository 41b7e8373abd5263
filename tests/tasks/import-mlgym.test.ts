/**
 * `tasks import-mlgym` on a hand-written MLGym configs folder (tests/fixtures/mlgym): the converted task
 * validates, keeps MLGym's fields, gets a metric direction and evaluation from MLGym's task class, converts the
 * local dataset (hashed), reports the hub dataset and the missing starter file, and its evaluation runs.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/assets.js';
import { importMlgymConfigs } from '../../src/tasks/import-mlgym.js';
import { loadDataset, loadTask, resolveTask, runBaseline } from '../../src/tasks/index.js';

const out = mkdtempSync(join(tmpdir(), 'labgym-import-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('MLGym task and dataset configs convert into a valid labgym catalog', async () => {
  const report = await importMlgymConfigs(join(PROJECT_ROOT, 'tests/fixtures/mlgym/configs'), out);
  assert.deepEqual(
    report.tasks.map((task) => task.id),
    ['coinFlip'],
  );
  assert.match(report.tasks[0]!.notes.join('\n'), /starter file data\/coinFlip\/missing_helper\.py is not in the MLGym checkout/);
  assert.match(report.tasks[0]!.notes.join('\n'), /metric direction unknown to MLGym's table: assumed Score \(maximize\)/);
  const hub = report.datasets.find((dataset) => dataset.id === 'someHubData');
  assert.match(hub?.note ?? '', /hub dataset someone\/some-hub-dataset: cannot be fetched offline/);

  const dirs = { tasks: join(out, 'tasks'), datasets: join(out, 'datasets') };
  const dataset = loadDataset('coinFlipLocal', dirs);
  assert.deepEqual(dataset.config.public, ['flips.txt']);
  assert.match(dataset.config.sources[0] && 'sha256' in dataset.config.sources[0] ? String(dataset.config.sources[0].sha256) : '', /^[0-9a-f]{64}$/);

  // The missing starter file and the hub dataset keep the converted task from loading until they are supplied.
  assert.throws(() => loadTask('coinFlip', dirs), /starter_code\[2\]: expected an existing file or folder/);
});

test('the converted evaluation (MLGym evaluate.py, metrics from stdout) runs in a sandbox', async () => {
  const report = await importMlgymConfigs(join(PROJECT_ROOT, 'tests/fixtures/mlgym/configs'), out);
  const dirs = { tasks: join(out, 'tasks'), datasets: join(out, 'datasets') };
  // Supply what the report asked for: drop the missing helper and the hub dataset from the converted task.
  const file = report.tasks[0]!.file;
  writeFileSync(file, readFileSync(file, 'utf8').replace('  - workspace/missing_helper.py\n', '').replace('  - someHubData\n', ''));
  const { config } = loadTask('coinFlip', dirs);
  assert.equal(config.evaluation.metrics_from, 'stdout');
  assert.deepEqual(config.submission.artifacts, ['*.py']);
  assert.equal(config.training_timeout, 3600);
  assert.deepEqual(config.baseline_scores, [{ Score: 0.5 }]);
  const task = await resolveTask('coinFlip', { dirs, userDataDir: join(out, 'datasets', 'user-data'), cacheDir: join(out, 'cache') });
  const run = await runBaseline(task);
  assert.equal(run.test.failure, undefined, run.test.failure?.message);
  assert.equal(run.test.score, 0.5); // strategy.py always guesses 1; four of the eight flips are 1
});
