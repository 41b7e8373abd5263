/** `labgym filter <runs...> --where ... --out DIR`: the selected episode records as a new run store (export/filter-run.ts). */

import type { Command } from 'commander';
import { filterRun, WHERE_HELP } from '../export/index.js';
import { describeProblems } from '../store/index.js';
import { collect } from './export.js';
import { printJson } from './output.js';

export function registerFilterCommand(program: Command): void {
  program
    .command('filter')
    .description('select episodes (the records themselves) into a new run store')
    .argument('<runs...>', 'run directories (runs/<id>), labgym run outputs, or episode JSONL files')
    .requiredOption('--out <dir>', 'run folder to create (or a .jsonl file)')
    .option('--where <filter>', `keep episodes matching a filter (repeatable): ${WHERE_HELP}`, collect, [])
    .option('--strict', 'fail on the first torn or invalid episode line')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], options: { out: string; where: string[]; strict?: boolean; json?: boolean }) => {
      const result = await filterRun({ inputs, filters: options.where, out: options.out, strict: options.strict });
      for (const line of describeProblems(result.read)) process.stderr.write(`labgym: ${line}\n`);
      if (options.json)
        return printJson({
          out: result.out,
          episodes: result.episodes,
          filters: result.filters,
          read: { records: result.read.records, duplicates: result.read.duplicates, skippedLines: result.read.problems.length },
        });
      for (const filter of result.filters) console.log(`${filter.name.padEnd(28)} ${String(filter.after).padStart(8)} of ${filter.before} kept`);
      console.log(`${result.episodes} of ${result.read.records} episodes -> ${result.out}`);
    });
}
