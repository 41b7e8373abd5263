/**
 * `labgym export <runs...> --format F --out DIR [--where ...]`: filtered episodes as a trainer-ready dataset in
 * the Hugging Face layout (Parquet by default; JSONL or Arrow IPC on request) with a dataset card (export/export.ts).
 */

import type { Command } from 'commander';
import { aciToolDefinitions } from '../agent/index.js';
import { InvalidArgumentError } from '../errors.js';
import { exportDataset, FORMAT_NAMES, type FormatName, WHERE_HELP, type WriterKind } from '../export/index.js';
import { describeProblems } from '../store/index.js';
import { printJson } from './output.js';

interface ExportOptions {
  format: string;
  writer: string;
  out: string;
  where: string[];
  split: string;
  name?: string;
  strict?: boolean;
  overwrite?: boolean;
  formatErrorPenalty: number;
  timeoutPenalty: number;
  gamma: number;
  pairBy: string;
  minMargin: number;
  shardMb: number;
  json?: boolean;
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function numberOption(name: string, check: (value: number) => boolean = Number.isFinite, expected = 'a number') {
  return (text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !check(value)) throw new InvalidArgumentError(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
    return value;
  };
}

function choice<T extends string>(name: string, allowed: readonly T[], value: string): T {
  if (!allowed.includes(value as T)) throw new InvalidArgumentError(`--${name}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** The ACI tool schemas in OpenAI's shape, for episodes that used native tool calling. */
function toolSchemas() {
  return aciToolDefinitions().map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export filtered episodes as a dataset (Hugging Face layout with a dataset card)')
    .argument('<runs...>', 'run directories (runs/<id>), labgym run outputs, or episode JSONL files')
    .requiredOption('--out <dir>', 'dataset folder to create (data/<split>-NNNNN-of-NNNNN.<ext> and README.md)')
    .option('--format <format>', `row shape: ${FORMAT_NAMES.join(', ')}`, 'sft')
    .option('--writer <writer>', 'file format: parquet, jsonl, arrow', 'parquet')
    .option('--where <filter>', `keep episodes matching a filter (repeatable): ${WHERE_HELP}`, collect, [])
    .option('--split <name>', 'split name', 'train')
    .option('--name <name>', 'dataset name in the card (default: the folder name)')
    .option('--format-error-penalty <x>', 'reward shaping: subtracted per re-query after a format error', numberOption('format-error-penalty'), 0)
    .option('--timeout-penalty <x>', 'reward shaping: subtracted per timed-out command', numberOption('timeout-penalty'), 0)
    .option(
      '--gamma <g>',
      'discount of the return-to-go',
      numberOption('gamma', (value) => value >= 0 && value <= 1, 'a number in [0, 1]'),
      1,
    )
    .option('--pair-by <group>', 'preference pairs within task-seed or task', 'task-seed')
    .option(
      '--min-margin <x>',
      'preference: chosen must beat rejected by more than this',
      numberOption('min-margin', (value) => value >= 0, 'a non-negative number'),
      0,
    )
    .option(
      '--shard-mb <n>',
      'start a new file past this much (uncompressed, estimated) data',
      numberOption('shard-mb', (value) => value > 0, 'a positive number'),
      1024,
    )
    .option('--strict', 'fail on the first torn or invalid episode line')
    .option('--overwrite', 'replace an existing dataset at --out (once the new one is complete)')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], options: ExportOptions) => {
      const format = choice<FormatName>('format', FORMAT_NAMES, options.format);
      const writer = choice<WriterKind>('writer', ['parquet', 'jsonl', 'arrow'], options.writer);
      const pairBy = choice('pair-by', ['task-seed', 'task'] as const, options.pairBy);
      const progress =
        process.stderr.isTTY && !options.json ? (episodes: number, rows: number) => process.stderr.write(`\r${episodes} episodes, ${rows} rows`) : undefined;
      const result = await exportDataset({
        inputs,
        out: options.out,
        format,
        writer,
        filters: options.where,
        split: options.split,
        name: options.name,
        overwrite: options.overwrite,
        read: { strict: options.strict },
        files: { shardBytes: options.shardMb * 1024 * 1024 },
        formatOptions: {
          shaping: { formatErrorPenalty: options.formatErrorPenalty, timeoutPenalty: options.timeoutPenalty, gamma: options.gamma },
          tools: toolSchemas(),
          pairBy,
          minMargin: options.minMargin,
        },
        onProgress: progress,
      });
      if (progress) process.stderr.write('\n');
      for (const line of describeProblems(result.read)) process.stderr.write(`labgym: ${line}\n`);
      if (options.json) {
        return printJson({
          out: result.out,
          format: result.format,
          writer: result.writer,
          episodes: result.episodes,
          rows: result.rows,
          splits: result.splits,
          filters: result.filters,
          read: {
            files: result.read.files.length,
            lines: result.read.lines,
            records: result.read.records,
            duplicates: result.read.duplicates,
            incomplete: result.read.incomplete,
            skippedLines: result.read.problems.length,
          },
        });
      }
      for (const filter of result.filters) console.log(`${filter.name.padEnd(28)} ${String(filter.after).padStart(8)} of ${filter.before} kept`);
      console.log(
        `${result.rows} ${result.format} rows from ${result.episodes} episodes -> ${result.out} (${result.splits.flatMap((split) => split.files).length} files, ${result.writer})`,
      );
    });
}
