/**
 * The streaming run reader: episode records from run stores (`runs/<id>/episodes/*.jsonl`), `labgym run` outputs
 * (`<dir>/episodes.jsonl`) or single JSONL files, one line at a time (memory stays flat whatever the store's size).
 * Bad lines are counted and reported with file:line, or fatal with `strict`; records are deduped by episode id
 * (a retried or resumed episode can be stored twice: the first complete record wins; sandbox_error records are
 * never complete). No Docker here.
 */

import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateConfig } from '../config/yaml.js';
import { ConfigError, LabgymError } from '../errors.js';
import { EpisodeRecordSchema, type EpisodeRecord } from './episode-record.js';
import { INCOMPLETE_EXIT_STATUSES } from './run-store.js';

/** A torn or invalid episode line under `strict`; the message names file:line and the field. */
export class EpisodeLineError extends LabgymError {
  override readonly code = 'E_EPISODE_LINE';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RunReadProblem {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The last line of a file, cut short by a crash while it was written. */
  readonly torn: boolean;
  /** One line: file:line, the field and what was expected. */
  readonly message: string;
}

/** What a read saw; filled in while the records stream, complete once the iteration ends. */
export interface RunReadReport {
  readonly files: string[];
  lines: number;
  records: number;
  /** Records skipped because an earlier one had the same episode id. */
  duplicates: number;
  /** Records skipped because the infrastructure failed them (exit status sandbox_error): a retry follows. */
  incomplete: number;
  readonly problems: RunReadProblem[];
}

export interface RunReadOptions {
  /** Fail on the first torn or invalid line (a ConfigError naming file:line) instead of skipping it. */
  readonly strict?: boolean;
  /** Keep every record, duplicates included. @default true */
  readonly dedupe?: boolean;
  /** Called for each skipped line as it is found (for progress or warnings). */
  readonly onProblem?: (problem: RunReadProblem) => void;
}

function listJsonl(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * The episode files behind one input: a JSONL file; a run dir with `episodes/*.jsonl`; a dir with `episodes.jsonl`
 * (`labgym run --out`); or a dir whose subdirectories are such runs (`runs/`).
 */
export function episodeFiles(input: string): string[] {
  const path = resolve(input);
  if (!existsSync(path)) throw new ConfigError(input, '', 'an episode file or a run directory', 'nothing at that path');
  if (statSync(path).isFile()) return [path];
  const shards = join(path, 'episodes');
  if (existsSync(shards) && statSync(shards).isDirectory()) return listJsonl(shards);
  if (existsSync(join(path, 'episodes.jsonl'))) return [join(path, 'episodes.jsonl')];
  const runs = readdirSync(path)
    .sort()
    .map((name) => join(path, name))
    .filter((child) => statSync(child).isDirectory() && (existsSync(join(child, 'episodes')) || existsSync(join(child, 'episodes.jsonl'))));
  const files = runs.flatMap(episodeFiles);
  if (files.length === 0) throw new ConfigError(input, '', 'a run directory (episodes/*.jsonl or episodes.jsonl)', 'a directory without episode files');
  return files;
}

/** Lines of a file as buffers (newline stripped), and whether the last one ended with a newline. */
async function* fileLines(file: string): AsyncGenerator<{ text: Buffer; last: boolean; terminated: boolean }> {
  let rest: Buffer | undefined;
  let pending: Buffer | undefined; // one line held back, so the last one can be flagged
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
      if (pending) yield { text: pending, last: false, terminated: true };
      pending = data.subarray(start, end);
      start = end + 1;
    }
    rest = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    data = Buffer.alloc(0);
  }
  if (rest) {
    if (pending) yield { text: pending, last: false, terminated: true };
    yield { text: rest, last: true, terminated: false };
  } else if (pending) yield { text: pending, last: true, terminated: true };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/** Validate one line; a problem when it is not a complete, valid record. */
export function parseEpisodeLine(text: string, where: string, torn: boolean): EpisodeRecord | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return torn
      ? `${where}: expected a complete last line (this one is torn: the writer stopped mid-record)`
      : `${where}: expected one JSON object per line, got ${firstLine((error as Error).message)}`;
  }
  const parsed = EpisodeRecordSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  try {
    validateConfig(where, EpisodeRecordSchema, data);
  } catch (error) {
    if (error instanceof ConfigError) return firstLine(error.message);
    throw error;
  }
  return `${where}: expected an episode record`;
}

/**
 * Stream the episode records of the inputs in order (files in name order, lines in file order).
 * `report` is updated as the records flow and is complete when the iteration ends.
 */
export async function* streamEpisodes(
  inputs: readonly string[],
  report: RunReadReport = newRunReadReport(),
  options: RunReadOptions = {},
): AsyncGenerator<EpisodeRecord> {
  const files = inputs.flatMap(episodeFiles);
  report.files.push(...files);
  const seen = new Set<string>();
  for (const file of files) {
    let number = 0;
    for await (const { text, last, terminated } of fileLines(file)) {
      number++;
      if (text.length === 0 || (text.length < 8 && !text.toString('utf8').trim())) continue;
      report.lines++;
      const torn = last && !terminated;
      const where = `${file}:${number}`;
      const result = parseEpisodeLine(text.toString('utf8'), where, torn);
      if (typeof result === 'string') {
        if (options.strict) throw new EpisodeLineError(file, number, `${result} (--strict stops at the first bad line)`);
        const problem = { file, line: number, torn, message: result };
        report.problems.push(problem);
        options.onProblem?.(problem);
        continue;
      }
      if (INCOMPLETE_EXIT_STATUSES.has(result.exitStatus)) {
        report.incomplete++;
        continue;
      }
      if (options.dedupe !== false) {
        if (seen.has(result.episodeId)) {
          report.duplicates++;
          continue;
        }
        seen.add(result.episodeId);
      }
      report.records++;
      yield result;
    }
  }
}

export function newRunReadReport(): RunReadReport {
  return { files: [], lines: 0, records: 0, duplicates: 0, incomplete: 0, problems: [] };
}

/** One line per skipped line, and a count: what `score`, `filter` and `export` print to stderr. */
export function describeProblems(report: RunReadReport, limit = 10): string[] {
  const lines = report.problems.slice(0, limit).map((problem) => `skipped ${problem.torn ? 'torn' : 'invalid'} line ${problem.message}`);
  if (report.problems.length > limit) lines.push(`... and ${report.problems.length - limit} more skipped lines`);
  return lines;
}
