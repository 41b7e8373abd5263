/**
 * Exported Parquet read back by DuckDB (@duckdb/node-api; the writer is hyparquet-writer): identical values,
 * nested types (messages as list<struct<...>>, not JSON text), ZSTD, row groups, the Hugging Face layout, and
 * the card's counts equal to the rows. JSONL rows validated against the format's schema; Arrow IPC read back.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'yaml';
import { duckdbType, type ExportResult, exportDataset, exportMessages, MESSAGE_TYPE, parseWhere, rowFormat, rowSchema } from '../../src/export/index.js';
import type { EpisodeRecord } from '../../src/store/index.js';
import { duckdbQuery, duckdbTypes, episode, tempDir, writeRun } from './helpers.js';

const TOOLS = [
  { type: 'function', function: { name: 'bash', description: 'run', parameters: { type: 'object', properties: { command: { type: 'string' } } } } },
];

/** 30 synthetic episodes plus one that used native tool calls (null content, tool_calls, a tool message). */
function records(): EpisodeRecord[] {
  const plain = Array.from({ length: 30 }, (_, i) => episode(i));
  const tools = episode(30, (r) => {
    r.agent.responseFormat = 'tools';
    r.messages = [
      r.messages[0]!,
      r.messages[1]!,
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'bash', arguments: '{"command": "ls -la"}' }] },
      { role: 'tool', content: 'a.py\nb "quoted" → 数据 🙂', toolCallId: 'call_1' },
      { role: 'assistant', content: '', toolCalls: [] },
    ];
  });
  return [...plain, tools];
}

// biome-ignore lint/suspicious/noExplicitAny: the card's front matter is free-form YAML the tests walk into
function frontMatter(dir: string): Record<string, any> {
  const text = readFileSync(join(dir, 'README.md'), 'utf8');
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return parse(text.split('---\n')[1]!) as Record<string, any>;
}

describe('Parquet export read back by DuckDB', () => {
  const source = records();
  let result: ExportResult;
  let out: string;
  before(async () => {
    const run = writeRun(source);
    out = join(tempDir(), 'sft');
    // Small batches and shards so the files have several row groups and the split several shards.
    result = await exportDataset({ inputs: [run], out, format: 'sft', formatOptions: { tools: TOOLS }, files: { batchRows: 4, shardBytes: 60_000 } });
  });

  test('Hugging Face layout: data/train-NNNNN-of-NNNNN.parquet and a card whose counts equal the rows', async () => {
    const files = readdirSync(join(out, 'data')).sort();
    assert.ok(files.length > 1, `several shards (${files.length})`);
    for (const [i, file] of files.entries()) assert.equal(file, `train-${String(i).padStart(5, '0')}-of-${String(files.length).padStart(5, '0')}.parquet`);
    assert.deepEqual(readdirSync(out).sort(), ['README.md', 'data']);
    const card = frontMatter(out);
    assert.deepEqual(card.configs, [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }]);
    const [{ rows }] = (await duckdbQuery(`SELECT count(*)::INTEGER AS rows FROM read_parquet('${out}/data/*.parquet')`)) as [{ rows: number }];
    assert.equal(rows, source.length);
    assert.equal(card.dataset_info.splits[0].num_examples, rows);
    assert.equal(card.labgym.rows.train, rows);
    assert.equal(result.rows, rows);
    assert.equal(card.labgym.generator, 'labgym 0.1.0');
    assert.deepEqual(card.labgym.tasks[0], { id: 'task0', episodes: 4, contentHashes: ['sha256:task0'], evaluatorHashes: ['sha256:eval0'] });
    assert.deepEqual(
      card.labgym.models.map((m: { name: string }) => m.name),
      ['model-a', 'model-b'],
    );
  });

  test('types: messages is list<struct<role, content, tool_calls, tool_call_id>>, not JSON text', async () => {
    const types = await duckdbTypes(`${out}/data/*.parquet`);
    const unquote = (text: string) => text.replaceAll('"', '');
    assert.equal(unquote(types.messages!), unquote(`${duckdbType(MESSAGE_TYPE)}[]`));
    assert.match(
      unquote(types.messages!),
      /^STRUCT\(role VARCHAR, content VARCHAR, tool_calls STRUCT\(id VARCHAR, type VARCHAR, function STRUCT\(name VARCHAR, arguments VARCHAR\)\)\[\], tool_call_id VARCHAR\)\[\]$/,
    );
    assert.deepEqual(
      { episode_id: types.episode_id, seed: types.seed, score: types.score, tools: types.tools },
      { episode_id: 'VARCHAR', seed: 'BIGINT', score: 'DOUBLE', tools: 'JSON' },
    );
  });

  test('values are identical to the records, row for row', async () => {
    const rows = await duckdbQuery(
      `SELECT * FROM read_parquet('${out}/data/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
    );
    assert.equal(rows.length, source.length);
    rows.forEach((row, i) => {
      const record = source[i]!;
      assert.equal(row.episode_id, record.episodeId);
      assert.equal(row.task_id, record.task.id);
      assert.equal(row.seed, BigInt(record.seed!));
      assert.equal(row.score, record.scores.final?.score);
      assert.deepEqual(row.messages, exportMessages(record.messages), `messages of row ${i}`);
      assert.deepEqual(row.tools === null ? null : JSON.parse(row.tools as string), record.agent.responseFormat === 'tools' ? TOOLS : null);
    });
    assert.equal((rows.at(-1)!.messages as { content: string | null }[])[2]!.content, null);
  });

  test('ZSTD pages, several row groups', async () => {
    const meta = await duckdbQuery(`SELECT DISTINCT compression, row_group_id FROM parquet_metadata('${out}/data/train-00000-of-*.parquet')`);
    assert.deepEqual([...new Set(meta.map((m) => m.compression))], ['ZSTD']);
    assert.ok(new Set(meta.map((m) => m.row_group_id)).size > 1);
  });

  test('a filtered export records each filter with its count in the card', async () => {
    const filtered = join(tempDir(), 'filtered');
    const run = writeRun(source);
    const done = await exportDataset({ inputs: [run], out: filtered, format: 'sft', filters: ['improvement>=0', 'top-k=2'].map(parseWhere) });
    const card = frontMatter(filtered);
    assert.deepEqual(
      card.labgym.filters.map((f: { name: string; in: number; kept: number }) => [f.name, f.in, f.kept]),
      done.filters.map((f) => [f.name, f.before, f.after]),
    );
    const [{ rows }] = (await duckdbQuery(`SELECT count(*)::INTEGER AS rows FROM read_parquet('${filtered}/data/*.parquet')`)) as [{ rows: number }];
    assert.equal(rows, done.filters.at(-1)!.after);
    assert.equal(card.dataset_info.splits[0].num_examples, rows);
    assert.match(readFileSync(join(filtered, 'README.md'), 'utf8'), /\| `top-k=2` \| the 2 best-scored episodes of each task \| \d+ \| \d+ \|/);
  });
});

describe('JSONL and Arrow IPC writers', () => {
  test('JSONL rows validate against the format schema and hold the same values', async () => {
    const source = records();
    const out = join(tempDir(), 'jsonl');
    await exportDataset({ inputs: [writeRun(source)], out, format: 'sft', writer: 'jsonl', formatOptions: { tools: TOOLS } });
    const lines = readFileSync(join(out, 'data', 'train-00000-of-00001.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    const schema = rowSchema(rowFormat('sft').columns);
    assert.equal(lines.length, source.length);
    lines.forEach((line, i) => {
      const row = schema.parse(JSON.parse(line)) as Record<string, unknown>;
      assert.deepEqual(row.messages, exportMessages(source[i]!.messages));
    });
    // DuckDB reads the same JSONL with the declared types.
    const [{ n }] = (await duckdbQuery(`SELECT count(*)::INTEGER AS n FROM read_ndjson('${out}/data/*.jsonl')`)) as [{ n: number }];
    assert.equal(n, source.length);
  });

  test('Arrow IPC file: nested types and values', async () => {
    const source = records();
    const out = join(tempDir(), 'arrow');
    await exportDataset({ inputs: [writeRun(source)], out, format: 'sft', writer: 'arrow', files: { batchRows: 8 } });
    const table = tableFromIPC(readFileSync(join(out, 'data', 'train-00000-of-00001.arrow')));
    assert.equal(table.numRows, source.length);
    assert.equal(table.batches.length, 4);
    assert.equal(String(table.schema.fields.find((f) => f.name === 'messages')!.type).startsWith('List<Struct<{role:Utf8'), true);
    const messages = table
      .getChild('messages')!
      .get(30)!
      .toArray()
      .map((m: { toJSON(): Record<string, unknown> }) => m.toJSON());
    assert.equal(messages[2].content, null);
    assert.equal(messages[3].content, 'a.py\nb "quoted" → 数据 🙂');
    assert.equal(table.getChild('episode_id')!.get(7), source[7]!.episodeId);
  });
});
