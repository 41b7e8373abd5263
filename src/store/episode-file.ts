/**
 * One episode JSONL file: the one episode reader (streaming; every stored version read as the current one; bad and
 * torn lines become problems, not failures) and the episode appender (validated, fsynced, safe after a torn line).
 */

import { stat } from 'node:fs/promises';
import { validateConfig } from '../config/yaml.js';
import { ConfigError } from '../errors.js';
import { type EpisodeRecord, EpisodeRecordSchema, StoredEpisodeRecordSchema } from './episode-record.js';
import { appendLine, readLines } from './jsonl-file.js';

export interface EpisodeFileProblem {
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong, naming the file, line, field and what was expected. */
  readonly error: ConfigError;
  /** The last line, cut short by a crash while it was written. */
  readonly torn: boolean;
}

const TORN_LINE = 'a complete last line (this one is torn: the writer stopped mid-record)';

export interface EpisodeFileContents {
  readonly records: EpisodeRecord[];
  readonly problems: EpisodeFileProblem[];
}

/** One non-blank line of an episode file: a record, or the problem that kept it from being one. */
export type EpisodeLine = { readonly line: number; readonly record: EpisodeRecord } | { readonly line: number; readonly problem: EpisodeFileProblem };

/** Append one record (validated as the current version first: nothing invalid is ever written) and fsync it. */
export async function appendEpisode(file: string, record: EpisodeRecord): Promise<void> {
  await appendLine(file, JSON.stringify(EpisodeRecordSchema.parse(record)));
}

/** Parse and validate one line (`where` is file:line); version 1 records come back as version 2. */
export function parseEpisodeLine(text: string, where: string, torn: boolean): EpisodeRecord | ConfigError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return torn ? new ConfigError(where, '', TORN_LINE) : new ConfigError(where, '', 'one JSON object per line', (error as Error).message.split('\n')[0]);
  }
  try {
    return validateConfig(where, StoredEpisodeRecordSchema, data);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** A problem in one line of text: `file:line: field: expected ...` (no "(root)" for whole-line problems). */
export function problemMessage(error: ConfigError): string {
  const text = error.path ? error.message : `${error.file}: expected ${error.expected}${error.received === undefined ? '' : `, got ${error.received}`}`;
  return text.split('\n')[0]!;
}

/** The episode reader: each non-blank line of a file as a record or a problem, streamed in file order. */
export async function* readEpisodeLines(file: string): AsyncGenerator<EpisodeLine> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error || !found.isFile()) {
    throw new ConfigError(file, '', 'a readable episode file (JSON Lines)', found instanceof Error ? (found.code ?? String(found)) : 'not a file');
  }
  for await (const { number, text, torn } of readLines(file)) {
    const result = parseEpisodeLine(text, `${file}:${number}`, torn);
    if (result instanceof ConfigError) {
      yield { line: number, problem: { line: number, torn: result.expected === TORN_LINE, error: result } };
    } else yield { line: number, record: result };
  }
}

/** Read and validate every line. Bad lines become problems naming the line, the field and what was expected. */
export async function readEpisodeFile(file: string): Promise<EpisodeFileContents> {
  const records: EpisodeRecord[] = [];
  const problems: EpisodeFileProblem[] = [];
  for await (const line of readEpisodeLines(file)) {
    if ('record' in line) records.push(line.record);
    else problems.push(line.problem);
  }
  return { records, problems };
}

/** Like readEpisodeFile, but the first problem is a ConfigError (for commands that need every record). */
export async function readEpisodeFileStrict(file: string): Promise<EpisodeRecord[]> {
  const { records, problems } = await readEpisodeFile(file);
  if (problems[0]) throw problems[0].error;
  if (records.length === 0) throw new ConfigError(file, '', 'at least one episode record', 'an empty file');
  return records;
}
