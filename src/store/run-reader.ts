/**
 * The streaming run reader: episode records from run stores, `labgym run` outputs or single JSONL files, one line at a
 * time (memory stays flat). Bad lines are counted with file:line (fatal with `strict`); records are deduped by episode
 * id (the first complete record wins). No Docker here.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, LabgymError } from '../errors.js';
import { problemMessage, readEpisodeLines } from './episode-file.js';
import type { EpisodeRecord } from './episode-record.js';

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

/** Exit statuses that mean the infrastructure failed, not the agent: such records are never stored as complete. */
export const INCOMPLETE_EXIT_STATUSES: ReadonlySet<string> = new Set(['sandbox_error']);

/** The sandbox broke, not the agent: another try follows, and this record never counts. */
export function isIncomplete(record: EpisodeRecord): boolean {
  return record.exitReason === 'sandbox_error' || INCOMPLETE_EXIT_STATUSES.has(record.exitStatus);
}

/**
 * The episode ended exit_api because the endpoint did not serve (connection refused, DNS, timeout, 5xx), not because
 * it refused the request (4xx): `labgym generate --resume` runs such episodes again. Records written before the
 * `unreachable` flag existed are recognised by their error text.
 */
export function isUnreachableApiExit(record: EpisodeRecord): boolean {
  if (record.exitReason !== 'exit_api') return false;
  const call = record.steps.findLast((step) => step.modelCall)?.modelCall;
  if (call?.unreachable !== undefined) return call.unreachable;
  return /APIConnection(Timeout)?Error/.test(record.error ?? '');
}

export interface RunReadProblem {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The last line of a file, cut short by a crash while it was written. */
  readonly torn: boolean;
  /** One line: file:line, the field and what was expected. */
  readonly message: string;
  /** The same as a ConfigError (file is file:line). */
  readonly error: ConfigError;
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

/**
 * Stream the episode records of the inputs in order (files in name order, lines in file order).
 * `report` is updated as the records flow and is complete when the iteration ends.
 * Each file is read by episode-file.ts's reader (version 1 records come back as version 2). A retried or resumed
 * episode can be stored twice: the first complete record wins (sandbox_error records are never complete).
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
    for await (const line of readEpisodeLines(file)) {
      report.lines++;
      if ('problem' in line) {
        const message = problemMessage(line.problem.error);
        if (options.strict) throw new EpisodeLineError(file, line.line, `${message} (--strict stops at the first bad line)`);
        const problem = { file, line: line.line, torn: line.problem.torn, message, error: line.problem.error };
        report.problems.push(problem);
        options.onProblem?.(problem);
        continue;
      }
      const record = line.record;
      if (isIncomplete(record)) {
        report.incomplete++;
        continue;
      }
      if (options.dedupe !== false) {
        if (seen.has(record.episodeId)) {
          report.duplicates++;
          continue;
        }
        seen.add(record.episodeId);
      }
      report.records++;
      yield record;
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
