/**
 * Parquet files through hyparquet-writer: nested columns as standard 3-level LISTs of STRUCTs, ZSTD pages
 * (@bokuweb/zstd-wasm; Node 20's zlib has no zstd), one row group per batch the caller hands in.
 */

import { init as initZstd, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import type { Column, ColumnType, Row } from '../columns.js';
import type { FileWriter } from './file-writer.js';

/** ZSTD level: 1 is the throughput/size sweet spot for text (3 gains ~5 % size for ~30 % time). */
export const ZSTD_LEVEL = 1;

let zstdReady: Promise<void> | undefined;

function leafElement(name: string, type: Exclude<ColumnType, object>, repetition: SchemaElement['repetition_type']): SchemaElement {
  switch (type) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: repetition };
    case 'json':
      return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: repetition };
    case 'int64':
      return { name, type: 'INT64', repetition_type: repetition };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type: repetition };
    case 'bool':
      return { name, type: 'BOOLEAN', repetition_type: repetition };
  }
}

function elements(name: string, type: ColumnType, nullable: boolean): SchemaElement[] {
  const repetition = nullable ? 'OPTIONAL' : 'REQUIRED';
  if (typeof type === 'string') return [leafElement(name, type, repetition)];
  if ('list' in type) {
    return [
      { name, repetition_type: repetition, num_children: 1, converted_type: 'LIST' },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...elements('element', type.list, false),
    ];
  }
  return [
    { name, repetition_type: repetition, num_children: type.struct.length },
    ...type.struct.flatMap((field) => elements(field.name, field.type, field.nullable ?? false)),
  ];
}

export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.flatMap((field) => elements(field.name, field.type, field.nullable ?? false))];
}

/** INT64 columns take bigints; everything else goes in as is (the JSON annotation stringifies). */
function columnValues(rows: readonly Row[], field: Column): unknown[] {
  const values = rows.map((row) => row[field.name] ?? null);
  return field.type === 'int64' ? values.map((value) => (value === null ? null : BigInt(value as number))) : values;
}

/**
 * Why hyparquet-writer (reference_deps.md §1.2, 200k rows / 1 GB text): parquetjs, the product card's choice, is
 * dormant, has no ZSTD, writes legacy 2-level lists and was the slowest (61 s snappy). DuckDB was fastest
 * (12–14 s) but staged rows in memory (4.75–6.3 GB peak) and cannot stream-append; hyparquet-writer ZSTD took
 * 27–29 s with the lowest memory (2.1 GB, nearly all of it the benchmark's pre-built rows) and streams row
 * group by row group, which is what a flat-memory export needs. It is pure JS (no native build), and DuckDB
 * stays free to be the independent reader in tests.
 */
export async function openParquetFile(path: string, columns: readonly Column[], metadata: Record<string, string> = {}): Promise<FileWriter> {
  await (zstdReady ??= initZstd());
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: parquetSchema(columns),
    codec: 'ZSTD',
    compressors: { ZSTD: (input: Uint8Array) => zstdCompress(input, ZSTD_LEVEL) },
    // Min/max of long texts are not useful for these columns and cost a pass over every value.
    statistics: false,
    kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    createdBy: 'labgym (hyparquet-writer)',
  });
  return {
    async write(rows) {
      if (rows.length === 0) return;
      const columnData = columns.map((field) => ({ name: field.name, data: columnValues(rows, field) }));
      await writer.write({ columnData: columnData as never, rowGroupSize: rows.length });
    },
    async close() {
      writer.finish();
    },
  };
}
