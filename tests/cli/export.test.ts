/**
 * `labgym export` and `labgym filter` through the real CLI: formats and writers, --where counts, bad input as
 * one line (torn lines reported and skipped; --strict fails with file:line), outputs never half-written; and a
 * real scripted episode (Docker, real HTTP) exported and read back by DuckDB.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EpisodeRecordSchema } from '../../src/store/index.js';
import { duckdbQuery, episode, tempDir, withFinal, writeRun } from '../export/helpers.js';

function labgym(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 300_000 });
}

const store = () => writeRun(Array.from({ length: 16 }, (_, i) => episode(i, (r) => withFinal(r, r.scores.baseline! + (i % 4) - 1.5))));

describe('labgym export', () => {
  test('--format sft --where ... --json: rows, per-filter counts, Parquet read back', async () => {
    const out = join(tempDir(), 'ds');
    const result = labgym('export', store(), '--out', out, '--where', 'improvement>=0', '--where', 'top-k=1', '--json');
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    // i % 4 ∈ {2, 3} improve: 8 of 16; tasks (i % 8) 2, 3, 6, 7 hold them two each → top-1 keeps 4.
    assert.deepEqual(
      json.filters.map((f: { name: string; before: number; after: number }) => [f.name, f.before, f.after]),
      [
        ['improvement>=0', 16, 8],
        ['top-k=1', 8, 4],
      ],
    );
    assert.equal(json.rows, 4);
    const rows = await duckdbQuery(`SELECT task_id FROM read_parquet('${out}/data/*.parquet') ORDER BY task_id`);
    assert.deepEqual(
      rows.map((row) => row.task_id),
      ['task2', 'task3', 'task6', 'task7'],
    );
  });

  test('every format and writer produces its files', () => {
    const run = store();
    for (const [format, writer, file] of [
      ['sharegpt', 'jsonl', 'data/train-00000-of-00001.jsonl'],
      ['transitions', 'arrow', 'data/train-00000-of-00001.arrow'],
      ['preference', 'parquet', 'data/train-00000-of-00001.parquet'],
      ['kto', 'parquet', 'data/train-00000-of-00001.parquet'],
    ] as const) {
      const out = join(tempDir(), format);
      const result = labgym('export', run, '--out', out, '--format', format, '--writer', writer);
      assert.equal(result.status, 0, `${format}: ${result.stderr}`);
      assert.ok(existsSync(join(out, file)), `${format} ${writer}`);
      assert.ok(existsSync(join(out, 'README.md')));
    }
  });

  test('torn and invalid lines are reported on stderr and skipped; --strict fails with file:line', () => {
    const run = store();
    const shard = join(run, 'episodes', '00000.jsonl');
    appendFileSync(shard, '{"schemaVersion": 1, "episodeId": "x"}\n{"torn": ');
    const out = join(tempDir(), 'ds');
    const result = labgym('export', run, '--out', out, '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).read.skippedLines, 2);
    assert.match(result.stderr, new RegExp(`skipped invalid line ${shard}:17: `));
    assert.match(result.stderr, new RegExp(`skipped torn line ${shard}:18: expected a complete last line`));
    const strict = labgym('export', run, '--out', join(tempDir(), 'strict'), '--strict');
    assert.equal(strict.status, 2);
    assert.equal(strict.stderr.trim().split('\n').length, 1);
    assert.match(strict.stderr, new RegExp(`^labgym: ${shard}:17: source: expected .*--strict stops at the first bad line`));
  });

  test('bad options are one line; an existing dataset is never overwritten without --overwrite, nor half-written', () => {
    const run = store();
    const out = join(tempDir(), 'ds');
    for (const [args, message] of [
      [['--where', 'colour=red'], /unknown filter "colour"/],
      [['--format', 'csv'], /--format: expected one of sft, sharegpt/],
      [['--writer', 'xml'], /--writer: expected one of parquet, jsonl, arrow/],
    ] as const) {
      const result = labgym('export', run, '--out', out, ...args);
      assert.equal(result.status, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
    assert.equal(existsSync(out), false, 'nothing written on bad input');
    assert.equal(labgym('export', run, '--out', out).status, 0);
    const again = labgym('export', run, '--out', out, '--where', 'submitted');
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already holds files; choose another folder or pass --overwrite/);
    assert.equal(labgym('export', run, '--out', out, '--overwrite', '--where', 'top-k=1').status, 0);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /num_examples: 8/);
    assert.deepEqual(
      readdirSync(join(out, '..')).filter((name) => name.startsWith('.')),
      [],
      'no temporary folders left',
    );
  });
});

describe('labgym filter', () => {
  test('writes the selected records as a run store that validates against the episode schema', () => {
    const out = join(tempDir(), 'selected');
    const result = labgym('filter', store(), '--out', out, '--where', 'dedup', '--where', 'percentile>=50', '--json');
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    const lines = readFileSync(join(out, 'episodes', '00000.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, json.episodes);
    assert.equal(json.episodes, json.filters.at(-1).after);
    for (const line of lines) EpisodeRecordSchema.parse(JSON.parse(line));
    // The filtered store is an input like any other.
    assert.equal(labgym('export', out, '--out', join(tempDir(), 'again')).status, 0);
  });
});

describe('a real episode', () => {
  test('a scripted battleOfSexes episode from labgym run exports to Parquet that DuckDB reads', async () => {
    const dir = tempDir();
    const run = labgym('run', '--task', 'battleOfSexes', '--model', 'scripted', '--seed', '1', '--scale', 'reduced', '--out', dir, '--json');
    assert.equal(run.status, 0, run.stderr);
    for (const format of ['sft', 'transitions']) {
      const out = join(dir, format);
      const result = labgym('export', dir, '--out', out, '--format', format, '--json');
      assert.equal(result.status, 0, result.stderr);
      const json = JSON.parse(result.stdout);
      assert.equal(json.episodes, 1);
      const [{ n }] = (await duckdbQuery(`SELECT count(*)::INTEGER AS n FROM read_parquet('${out}/data/*.parquet')`)) as [{ n: number }];
      assert.equal(n, json.rows);
    }
    const record = EpisodeRecordSchema.parse(JSON.parse(readFileSync(join(dir, 'episodes.jsonl'), 'utf8').trim()));
    const [row] = await duckdbQuery(`SELECT messages, task_id, score FROM read_parquet('${dir}/sft/data/*.parquet')`);
    assert.equal(row!.task_id, 'battleOfSexes');
    assert.equal((row!.messages as unknown[]).length, record.messages.length);
    assert.equal(row!.score, record.scores.final?.score ?? null);
    const transitions = await duckdbQuery(`SELECT action FROM read_parquet('${dir}/transitions/data/*.parquet') ORDER BY step_index`);
    assert.deepEqual(
      transitions.map((t) => t.action),
      record.steps.map((s) => s.action),
    );
  });
});
