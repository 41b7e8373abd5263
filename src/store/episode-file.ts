/**
 * Episode records on disk: JSON Lines, one record per line, appended and fsynced so a crash loses at most the
 * line being written. The reader validates every line; a torn last line (a crash mid-write) is reported, not fatal.
 */

import { open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateConfig } from '../config/yaml.js';
import { ConfigError } from '../errors.js';
import { EpisodeRecordSchema, type EpisodeRecord } from './episode-record.js';

export interface EpisodeFileProblem {
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong, naming the file, line, field and what was expected. */
  readonly error: ConfigError;
  /** The last line, cut short by a crash while it was written. */
  readonly torn: boolean;
}

export interface EpisodeFileContents {
  readonly records: EpisodeRecord[];
  readonly problems: EpisodeFileProblem[];
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Append one record (validated first: nothing invalid is ever written) and fsync it. */
export async function appendEpisode(file: string, record: EpisodeRecord): Promise<void> {
  const line = `${JSON.stringify(EpisodeRecordSchema.parse(record))}\n`;
  const existing = await stat(file).catch(() => undefined);
  const handle = await open(file, 'a+');
  try {
    // After a crash mid-line, start on a fresh line so the torn one does not swallow this record.
    let prefix = '';
    if (existing && existing.size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, existing.size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(prefix + line);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (!existing) await fsyncPath(dirname(file));
}

/** Read and validate every line. Bad lines become problems naming the line, the field and what was expected. */
export async function readEpisodeFile(file: string): Promise<EpisodeFileContents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, '', 'a readable episode file (JSON Lines)', (error as NodeJS.ErrnoException).code ?? String(error));
  }
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  if (endsClean) lines.pop();
  const records: EpisodeRecord[] = [];
  const problems: EpisodeFileProblem[] = [];
  lines.forEach((line, i) => {
    const number = i + 1;
    if (!line.trim()) return;
    const isLast = i === lines.length - 1;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      const torn = isLast && !endsClean;
      const expected = torn ? 'a complete last line (this one is torn: the writer stopped mid-record)' : 'one JSON object per line';
      problems.push({ line: number, torn, error: new ConfigError(`${file}:${number}`, '', expected, torn ? undefined : (error as Error).message) });
      return;
    }
    try {
      records.push(validateConfig(`${file}:${number}`, EpisodeRecordSchema, data));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push({ line: number, torn: false, error });
    }
  });
  return { records, problems };
}

/** Like readEpisodeFile, but the first problem is a ConfigError (for commands that need every record). */
export async function readEpisodeFileStrict(file: string): Promise<EpisodeRecord[]> {
  const { records, problems } = await readEpisodeFile(file);
  if (problems[0]) throw problems[0].error;
  if (records.length === 0) throw new ConfigError(file, '', 'at least one episode record', 'an empty file');
  return records;
}
