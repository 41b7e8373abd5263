/** Test helpers: synthetic records (schema-valid), run stores on disk, and DuckDB as the independent reader. */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type SyntheticOptions, syntheticEpisode } from '../../src/bench/export-data.js';
import { type EpisodeRecord, EpisodeRecordSchema } from '../../src/store/index.js';

export function tempDir(prefix = 'labgym-export-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A valid record (checked against the schema) with fields overridden. */
export function episode(index: number, patch: (record: EpisodeRecord) => void = () => {}, options?: SyntheticOptions): EpisodeRecord {
  const record = syntheticEpisode(index, options);
  patch(record);
  return EpisodeRecordSchema.parse(record);
}

export function withFinal(record: EpisodeRecord, score: number | undefined): void {
  record.scores.final = score === undefined ? undefined : { step: record.steps.length, split: 'test', score, metrics: { Score: score } };
  if (score === undefined) delete record.scores.final;
}

/** runs/<id>/episodes/<shard>.jsonl with the given records (or raw lines). */
export function writeRun(records: readonly (EpisodeRecord | string)[], shard = '00000'): string {
  const dir = tempDir('labgym-run-');
  mkdirSync(join(dir, 'episodes'));
  writeFileSync(
    join(dir, 'episodes', `${shard}.jsonl`),
    `${records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n')}\n`,
  );
  return dir;
}

export async function duckdbQuery(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

/** DuckDB's column types of a Parquet file, by name. */
export async function duckdbTypes(path: string): Promise<Record<string, string>> {
  const rows = await duckdbQuery(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  return Object.fromEntries(rows.map((row) => [row.column_name as string, row.column_type as string]));
}
