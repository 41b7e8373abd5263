/**
 * `filterRun`: the selected episode records themselves, as a new run store (`<out>/episodes/00000.jsonl`) that
 * score and export read like any other, or a single file when `out` ends in .jsonl; written whole or not at all.
 */

import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { RunReadReport } from '../store/index.js';
import { type EpisodeFilter, parseWhere } from './filters.js';
import { type FilterCount, selectEpisodes } from './pipeline.js';

export interface FilterRunParams {
  /** Run directories, `labgym run` outputs or episode JSONL files. */
  readonly inputs: readonly string[];
  /** Filters, or their --where text (`improvement>=0`, `top-k=1`, ...). */
  readonly filters?: readonly (EpisodeFilter | string)[];
  /** The run folder to create, or a .jsonl file. */
  readonly out: string;
  /** Fail on the first torn or invalid line instead of skipping it. */
  readonly strict?: boolean;
}

export interface FilterRunResult {
  /** The episode file written. */
  readonly out: string;
  readonly episodes: number;
  readonly filters: FilterCount[];
  readonly read: RunReadReport;
}

/** Filters given as --where text parsed; filter objects kept. */
export function toFilters(filters: readonly (EpisodeFilter | string)[] = []): EpisodeFilter[] {
  return filters.map((filter) => (typeof filter === 'string' ? parseWhere(filter) : filter));
}

export async function filterRun(params: FilterRunParams): Promise<FilterRunResult> {
  const file = params.out.endsWith('.jsonl') ? resolve(params.out) : join(resolve(params.out), 'episodes', '00000.jsonl');
  if (existsSync(file)) throw new InvalidArgumentError(`--out ${params.out}: ${file} already exists; choose another`);
  const selection = await selectEpisodes({ inputs: params.inputs, filters: toFilters(params.filters), read: { strict: params.strict } });
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
