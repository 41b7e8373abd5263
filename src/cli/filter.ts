/**
 * `labgym filter <runs...> --where ... --out DIR`: the selected episode records themselves, as a run store
 * (`DIR/episodes/00000.jsonl`) that score and export read like any other; or a single file when --out ends in .jsonl.
 */

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { parseWhere, selectEpisodes, WHERE_HELP, type FilterCount } from '../export/index.js';
import { describeProblems, type RunReadReport } from '../store/index.js';
import { existsSync } from 'node:fs';
import { collect } from './export.js';
import { printJson } from './output.js';

export interface FilterRunsResult {
  readonly out: string;
  readonly episodes: number;
  readonly filters: FilterCount[];
  readonly read: RunReadReport;
}

export async function filterRuns(inputs: readonly string[], where: readonly string[], out: string, strict = false): Promise<FilterRunsResult> {
  const file = out.endsWith('.jsonl') ? resolve(out) : join(resolve(out), 'episodes', '00000.jsonl');
  if (existsSync(file)) throw new InvalidArgumentError(`--out ${out}: ${file} already exists; choose another`);
  const selection = await selectEpisodes({ inputs, filters: where.map(parseWhere), read: { strict } });
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial);
  let episodes = 0;
  for await (const record of selection.records) {
    episodes++;
    if (!stream.write(`${JSON.stringify(record)}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  await rename(partial, file);
  return { out: file, episodes, filters: selection.counts, read: selection.report };
}

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
      const result = await filterRuns(inputs, options.where, options.out, options.strict);
      for (const line of describeProblems(result.read)) process.stderr.write(`labgym: ${line}\n`);
      if (options.json) return printJson({ out: result.out, episodes: result.episodes, filters: result.filters, read: { records: result.read.records, duplicates: result.read.duplicates, skippedLines: result.read.problems.length } });
      for (const filter of result.filters) console.log(`${filter.name.padEnd(28)} ${String(filter.after).padStart(8)} of ${filter.before} kept`);
      console.log(`${result.episodes} of ${result.read.records} episodes -> ${result.out}`);
    });
}
