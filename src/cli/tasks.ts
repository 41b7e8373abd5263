/** `labgym tasks list|show|check|prepare|baseline|import-mlgym`: the task catalog (tasks/<id>/task.yaml). */

import type { Command } from 'commander';
import { primaryMetric } from '../config/index.js';
import { LabgymError } from '../errors.js';
import { importMlgymConfigs } from '../tasks/import-mlgym.js';
import {
  baselineScores,
  listDatasetIds,
  listTaskIds,
  loadDataset,
  loadTask,
  missingUserData,
  resolveTask,
  runBaseline,
  selectVariant,
  type TaskScale,
} from '../tasks/index.js';
import { scaleOption } from './options.js';
import { printJson } from './output.js';

function summary(id: string) {
  const { config } = loadTask(id);
  const metric = primaryMetric(config);
  return {
    id,
    name: config.name,
    metric: `${metric.name} (${metric.direction === 'maximize' ? 'max' : 'min'})`,
    baseline: baselineScores(config, 'full')?.[metric.name],
    reducedBaseline: baselineScores(config, 'reduced')?.[metric.name],
    datasets: config.dataset_configs,
    gpus: config.resources.gpus,
    variants: Object.keys(config.variants),
  };
}

export function registerTaskCommands(program: Command): void {
  const tasks = program.command('tasks').description('the task catalog: tasks/<id>/task.yaml and datasets/<id>.yaml');

  tasks
    .command('list')
    .description('list the tasks with their primary metric and baseline')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const rows = listTaskIds().map(summary);
      if (options.json) return printJson(rows);
      for (const row of rows) {
        const variants = row.variants.length ? `  variants: ${row.variants.join(', ')}` : '';
        console.log(
          `${row.id.padEnd(24)} ${row.metric.padEnd(26)} baseline ${String(row.baseline ?? '-').padEnd(12)} reduced ${String(row.reducedBaseline ?? '-').padEnd(12)} gpus ${row.gpus}${variants}`,
        );
      }
    });

  tasks
    .command('show <task>')
    .description('print a task (id or id:variant) as labgym reads it, with its datasets')
    .option('--json', 'print as JSON')
    .action((ref: string, options: { json?: boolean }) => {
      const { config, variant } = selectVariant(ref);
      const datasets = config.dataset_configs.map((id) => {
        const dataset = loadDataset(id);
        return { ...dataset.config, missingUserData: missingUserData(dataset) };
      });
      if (options.json) return printJson({ variant, ...config, datasets });
      console.log(`${config.id}${variant ? `:${variant}` : ''}: ${config.name}`);
      console.log(`metrics: ${config.metrics.map((m) => `${m.name} (${m.direction}${m.primary ? ', primary' : ''})`).join(', ')}`);
      console.log(
        `baseline (full): ${JSON.stringify(baselineScores(config, 'full') ?? {})}  (reduced): ${JSON.stringify(baselineScores(config, 'reduced') ?? {})}`,
      );
      console.log(`submission: ${config.submission.artifacts.join(', ') || '(none)'}  evaluation: ${config.evaluation.command}`);
      console.log(`resources: ${JSON.stringify(config.resources)}  training_timeout: ${config.training_timeout}s`);
      for (const dataset of datasets) {
        console.log(
          `dataset ${dataset.id}: ${dataset.name}${dataset.stand_in_for ? ` (stand-in for ${dataset.stand_in_for})` : ''}; splits ${JSON.stringify(dataset.splits)}`,
        );
        for (const path of dataset.missingUserData) console.log(`  missing user data: ${path}`);
      }
      console.log(`\n${config.description.trim()}`);
    });

  tasks
    .command('check [tasks...]')
    .description('validate task and dataset definitions (all of them by default); exit 1 when any is invalid')
    .option('--json', 'print as JSON')
    .action((ids: string[], options: { json?: boolean }) => {
      const check = (load: () => unknown) => {
        try {
          load();
          return { ok: true };
        } catch (error) {
          if (error instanceof LabgymError) return { ok: false, error: error.message };
          throw error;
        }
      };
      const taskIds = ids.length ? ids : listTaskIds();
      const results = [
        ...taskIds.map((id) => ({ kind: 'task', id, ...check(() => loadTask(id)) })),
        ...(ids.length ? [] : listDatasetIds().map((id) => ({ kind: 'dataset', id, ...check(() => loadDataset(id)) }))),
      ];
      const failed = results.filter((result) => !result.ok).length;
      if (options.json) printJson({ ok: failed === 0, results });
      else {
        for (const result of results) console.log(`${result.ok ? 'ok     ' : 'INVALID'} ${result.kind} ${result.id}${result.error ? `: ${result.error}` : ''}`);
        console.log(`${results.length - failed} valid, ${failed} invalid`);
      }
      if (failed) process.exitCode = 1;
    });

  tasks
    .command('prepare [tasks...]')
    .description('prepare the datasets and build the images of tasks (all by default); cached by content hash')
    .option('--json', 'print as JSON')
    .action(async (refs: string[], options: { json?: boolean }) => {
      const results = [];
      for (const ref of refs.length ? refs : listTaskIds()) {
        const started = performance.now();
        const task = await resolveTask(ref, { log: options.json ? undefined : (line) => console.error(line) });
        const row = {
          task: task.ref,
          image: task.image,
          datasets: task.datasets.map((d) => ({ id: d.id, hash: d.hash, built: d.built })),
          seconds: Math.round((performance.now() - started) / 100) / 10,
        };
        results.push(row);
        if (!options.json) console.log(`${row.task.padEnd(28)} ${row.image}  ${row.seconds}s`);
      }
      if (options.json) printJson(results);
    });

  tasks
    .command('baseline <task>')
    .description("run a task's baseline script as an agent would, then score it on validation and test")
    .option('--scale <scale>', 'full, or reduced (the CI scale: fewer epochs/steps/instances)', scaleOption, 'full')
    .option('--mlgym-compatible', 'validate scores the test split, as MLGym did')
    .option('--json', 'print as JSON')
    .action(async (ref: string, options: { scale: TaskScale; mlgymCompatible?: boolean; json?: boolean }) => {
      const task = await resolveTask(ref, { scale: options.scale, mlgymCompatible: options.mlgymCompatible });
      const run = await runBaseline(task);
      const metric = primaryMetric(task.config).name;
      const tolerance = task.config.baseline_tolerance[metric];
      const withinTolerance =
        task.baseline === undefined || run.test.score === undefined || tolerance === undefined
          ? undefined
          : Math.abs(run.test.score - task.baseline) <= tolerance;
      if (options.json) return printJson({ ...run, expected: task.baseline, tolerance, withinTolerance });
      console.log(run.outputTail);
      console.log(`${task.ref} (${task.scale}): training ${(run.trainingMs / 1000).toFixed(1)}s, exit ${run.exitCode}`);
      for (const record of [run.validation, run.test]) {
        console.log(
          `  ${record.split.padEnd(10)} ${record.failure ? `FAILED ${record.failure.type}: ${record.failure.message.split('\n')[0]}` : JSON.stringify(record.metrics)}  (${(record.durationMs / 1000).toFixed(1)}s)`,
        );
      }
      if (task.baseline !== undefined)
        console.log(
          `  task.yaml baseline ${metric} = ${task.baseline}${tolerance === undefined ? '' : ` ± ${tolerance}: ${withinTolerance ? 'within' : 'OUTSIDE'}`}`,
        );
    });

  tasks
    .command('import-mlgym <configsDir>')
    .description("convert MLGym task and dataset YAML (its configs/ folder) into labgym's format")
    .option('--out <dir>', 'folder receiving tasks/ and datasets/', '.')
    .option('--json', 'print as JSON')
    .action(async (configsDir: string, options: { out: string; json?: boolean }) => {
      const report = await importMlgymConfigs(configsDir, options.out);
      if (options.json) return printJson(report);
      for (const task of report.tasks) console.log(`task ${task.id} -> ${task.file}${task.notes.length ? `\n  ${task.notes.join('\n  ')}` : ''}`);
      for (const dataset of report.datasets)
        console.log(`dataset ${dataset.id} -> ${dataset.file ?? '(not converted)'}${dataset.note ? `: ${dataset.note}` : ''}`);
    });
}
