/**
 * Arrow IPC files (Feather v2) through apache-arrow: the same nested types as Parquet, one record batch per
 * batch of rows, uncompressed (JS codecs for IPC are not readable by arrow-rs; reference_deps.md §1.2).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  List,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
} from 'apache-arrow';
import type { Column, ColumnType } from '../columns.js';
import type { FileWriter } from './file-writer.js';

function arrowType(type: ColumnType): DataType {
  if (typeof type === 'string') {
    return { string: new Utf8(), json: new Utf8(), int64: new Int64(), double: new Float64(), bool: new Bool() }[type];
  }
  if ('list' in type) return new List(new Field('element', arrowType(type.list), false));
  return new Struct(type.struct.map((field) => arrowField(field)));
}

const arrowField = (field: Column) => new Field(field.name, arrowType(field.type), field.nullable ?? false);

export function arrowSchema(columns: readonly Column[]): Schema {
  return new Schema(columns.map(arrowField));
}

function cell(value: unknown, field: Column): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'json') return JSON.stringify(value);
  if (field.type === 'int64') return BigInt(value as number);
  return value;
}

export async function openArrowFile(path: string, columns: readonly Column[]): Promise<FileWriter> {
  const schema = arrowSchema(columns);
  const writer = new RecordBatchFileWriter();
  const stream = createWriteStream(path);
  await once(stream, 'open');
  const piped = writer.toNodeStream().pipe(stream);
  writer.reset(undefined, schema);
  return {
    async write(rows) {
      if (rows.length === 0) return;
      const children = schema.fields.map((field, i) => {
        const builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
        for (const row of rows) builder.append(cell(row[field.name], columns[i]!) as never);
        return builder.finish().flush();
      });
      const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
      writer.write(new RecordBatch(schema, data));
    },
    async close() {
      writer.finish();
      await once(piped, 'finish');
    },
  };
}
