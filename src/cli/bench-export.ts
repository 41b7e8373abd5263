/** `labgym bench export`: registered under the existing `bench` command, apart from bench.ts (kept separate on purpose). */

import type { Command } from 'commander';
import { benchExport, duckdbWorker, labgymWorker } from '../bench/export.js';
import { collect, numberOption } from './export.js';
import { printJson } from './output.js';

interface BenchExportOptions {
  episodes: number;
  dir?: string;
  keep?: boolean;
  where: string[];
  worker?: string;
  json?: boolean;
}

export function registerBenchExportCommand(program: Command): void {
  const bench = program.commands.find((command) => command.name() === 'bench') ?? program.command('bench').description('benchmarks (numbers, not tests)');
  bench
    .command('export')
    .description('SFT Parquet export of synthetic episodes vs DuckDB COPY of the same JSONL (rows/s ratio, peak RSS), and a filter+export peak RSS')
    .argument('[paths...]', '(worker mode only) input and output')
    .option(
      '--episodes <n>',
      'synthetic episodes',
      numberOption('episodes', (value) => Number.isInteger(value) && value > 0, 'a positive integer'),
      200_000,
    )
    .option('--dir <dir>', 'where to put the synthetic store (default: a temporary folder)')
    .option('--keep', 'keep the store and outputs')
    .option('--where <filter>', 'filters of the filter + export run (repeatable)', collect, [])
    .option('--worker <kind>', '(internal) run one job in this process: duckdb or labgym')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], options: BenchExportOptions) => {
      if (options.worker) {
        const [input, output] = paths as [string, string];
        return console.log(JSON.stringify(options.worker === 'duckdb' ? await duckdbWorker(input, output) : await labgymWorker(input, output, options.where)));
      }
      const result = await benchExport(
        { episodes: options.episodes, dir: options.dir, keep: options.keep, where: options.where.length ? options.where : undefined },
        (line) => process.stderr.write(`${line}\n`),
      );
      if (options.json) return printJson(result);
      const rate = (job: { rows: number; seconds: number }) => `${Math.round(job.rows / job.seconds)} rows/s`;
      console.log(`store: ${result.episodes} episodes, ${(result.storeBytes / 2 ** 30).toFixed(2)} GiB JSONL`);
      console.log(`DuckDB COPY → Parquet   ${result.duckdb.seconds.toFixed(1)} s  ${rate(result.duckdb)}  peak RSS ${result.duckdb.peakRssMb.toFixed(0)} MB`);
      console.log(`labgym export sft       ${result.labgym.seconds.toFixed(1)} s  ${rate(result.labgym)}  peak RSS ${result.labgym.peakRssMb.toFixed(0)} MB`);
      console.log(`rows/s ratio            ${result.rowsPerSecondRatio.toFixed(3)}  (goal ≥ 0.5)`);
      console.log(
        `filter + export         ${result.filterExport.seconds.toFixed(1)} s  ${result.filterExport.episodesKept} kept  peak RSS ${result.filterExport.peakRssMb.toFixed(0)} MB  (goal ≤ 512)`,
      );
    });
}
