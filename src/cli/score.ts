/**
 * `labgym score <runs...>`: MLGym's tables (Best Attempt@k and Best Submission@k per task and model, AUP, mean rank,
 * Borda) and the performance-profile SVG, through metrics/score-runs.ts; flags, one call, printing.
 */

import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { type ScoreReport, type ScoreTable, score } from '../metrics/index.js';
import { describeProblems } from '../store/index.js';
import { printJson } from './output.js';

interface ScoreOptions {
  json?: boolean;
  tasks?: string[];
  models?: string[];
  excludeTasks?: string[];
  excludeModels?: string[];
  tauMax?: number;
  plot?: string;
  strict?: boolean;
  mlgymCompatible?: boolean;
}

export const nameList = (text: string, previous: string[] = []) => [
  ...previous,
  ...text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
];

function tauMaxOption(text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`--tau-max: expected a positive number, got ${JSON.stringify(text)}`);
  return value;
}

const cell = (value: number | undefined, digits = 4) => (value === undefined || !Number.isFinite(value) ? '—' : Number(value.toFixed(digits)).toString());

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

function printScoreTable(title: string, table: ScoreTable, models: string[]): void {
  console.log(`\n${title}`);
  printTable(
    ['task', 'direction', 'baseline', ...models],
    table.tasks.map((task) => [task.task, task.direction, cell(task.baseline), ...models.map((model) => cell(task.scores[model]))]),
  );
  console.log('');
  printTable(
    ['method', 'AUP', 'mean rank', 'Borda'],
    [...models, 'baseline'].map((method) => [
      method,
      cell(table.aup.aup[method], 3),
      cell(table.rankings.meanRank[method], 3),
      cell(table.rankings.borda[method], 0),
    ]),
  );
}

function bestAttemptNote(report: ScoreReport): string {
  const selected = report.validationSelectedEpisodes;
  const episodes = Object.values(report.runs)
    .flatMap((byModel) => Object.values(byModel))
    .reduce((sum, count) => sum + count, 0);
  if (report.bestAttemptRule === 'mlgym') return "Best Attempt: MLGym's definition (the best score over every evaluation, splits mixed)";
  return `Best Attempt: the test score of each run's best-validated attempt (${selected} of ${episodes} episodes; the others, without split scores, MLGym's best over every evaluation)`;
}

function jsonTable(table: ScoreTable) {
  return { tasks: table.tasks, aup: table.aup.aup, meanRank: table.rankings.meanRank, borda: table.rankings.borda };
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('Best Attempt / Best Submission tables, AUP, mean rank and Borda (as MLGym computes them), and an SVG of the performance profiles')
    .argument('<runs...>', 'run directories (runs/<id>), labgym run outputs, or episode JSONL files')
    .option('--tasks <names>', 'only these tasks (comma-separated; repeatable)', nameList)
    .option('--models <names>', 'only these models (comma-separated; repeatable)', nameList)
    .option('--exclude-tasks <names>', 'leave these tasks out', nameList)
    .option('--exclude-models <names>', 'leave these models out', nameList)
    .option('--tau-max <n>', "fix τ_max (comparable across runs) instead of MLGym's data-dependent one", tauMaxOption)
    .option(
      '--mlgym-compatible',
      'Best Attempt as MLGym defines it (the best of every evaluation, splits mixed) instead of the test score of the best-validated attempt',
    )
    .option('--plot <file>', 'where to write the performance-profile SVG (default: performance-profile.svg in the first run folder)')
    .option('--strict', 'fail on the first torn or invalid episode line')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], options: ScoreOptions) => {
      const { report, read, plot } = await score({
        inputs,
        tasks: options.tasks,
        models: options.models,
        excludeTasks: options.excludeTasks,
        excludeModels: options.excludeModels,
        tauMax: options.tauMax,
        strict: options.strict,
        plot: options.plot,
        bestAttempt: options.mlgymCompatible ? 'mlgym' : 'validation-selected',
      });
      for (const line of describeProblems(read)) process.stderr.write(`labgym: ${line}\n`);
      if (options.json) {
        return printJson({
          models: report.models,
          tasks: report.tasks,
          tasksWithoutBaseline: report.tasksWithoutBaseline,
          runs: report.runs,
          tauMax: report.tauMax,
          tauMaxFixed: report.tauMaxFixed,
          bestAttemptRule: report.bestAttemptRule,
          validationSelectedEpisodes: report.validationSelectedEpisodes,
          bestAttempt: jsonTable(report.bestAttempt),
          bestSubmission: jsonTable(report.bestSubmission),
          episodes: read.records,
          duplicates: read.duplicates,
          skippedLines: read.problems.length,
          plot,
        });
      }
      console.log(
        `${read.records} episodes, ${report.models.length} models, ${report.tasks.length} tasks; τ_max ${report.tauMax}${report.tauMaxFixed ? ' (fixed)' : ' (from the data, as MLGym)'}`,
      );
      console.log(bestAttemptNote(report));
      if (report.tasksWithoutBaseline.length) console.log(`left out (no baseline score): ${report.tasksWithoutBaseline.join(', ')}`);
      printScoreTable('Best Attempt@k', report.bestAttempt, report.models);
      printScoreTable('Best Submission@k', report.bestSubmission, report.models);
      console.log(`\nperformance profiles: ${plot}`);
    });
}
