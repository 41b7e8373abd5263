/**
 * The column schema of an export format: one small type language that the Parquet, Arrow and JSONL writers all
 * read, so a format declares its columns once. Nested columns stay nested (list<struct<...>>), never JSON text;
 * `json` is for values whose shape varies row to row (tool JSON schemas), stored as text with the JSON annotation.
 */

import { z } from 'zod';

export type ColumnType = 'string' | 'json' | 'int64' | 'double' | 'bool' | { readonly list: ColumnType } | { readonly struct: readonly Column[] };

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** May be null. @default false */
  readonly nullable?: boolean;
}

export type Row = Record<string, unknown>;

export const list = (type: ColumnType): ColumnType => ({ list: type });
export const struct = (...columns: Column[]): ColumnType => ({ struct: columns });
export const column = (name: string, type: ColumnType, nullable = false): Column => ({ name, type, nullable });

/** A chat message as exports write it (OpenAI / TRL shape): content is null for a tool-call-only turn. */
export const TOOL_CALL_TYPE = struct(
  column('id', 'string'),
  column('type', 'string'),
  column('function', struct(column('name', 'string'), column('arguments', 'string'))),
);
export const MESSAGE_TYPE = struct(
  column('role', 'string'),
  column('content', 'string', true),
  column('tool_calls', list(TOOL_CALL_TYPE), true),
  column('tool_call_id', 'string', true),
);

/** DuckDB's spelling of a column type (the bench reads JSONL with it; tests compare the read-back types with it). */
export function duckdbType(type: ColumnType): string {
  if (typeof type === 'string') {
    return { string: 'VARCHAR', json: 'JSON', int64: 'BIGINT', double: 'DOUBLE', bool: 'BOOLEAN' }[type];
  }
  if ('list' in type) return `${duckdbType(type.list)}[]`;
  return `STRUCT(${type.struct.map((field) => `"${field.name}" ${duckdbType(field.type)}`).join(', ')})`;
}

/** A zod schema of one exported JSONL row (the JSONL writer's contract; `json` cells are JSON text). */
export function rowSchema(columns: readonly Column[]): z.ZodType {
  const of = (type: ColumnType): z.ZodType => {
    if (typeof type === 'string') {
      return {
        string: z.string(),
        json: z.string().refine((text) => {
          try {
            JSON.parse(text);
            return true;
          } catch {
            return false;
          }
        }, 'JSON text'),
        int64: z.number().int(),
        double: z.number(),
        bool: z.boolean(),
      }[type];
    }
    if ('list' in type) return z.array(of(type.list));
    return z.strictObject(Object.fromEntries(type.struct.map((field) => [field.name, field.nullable ? of(field.type).nullable() : of(field.type)])));
  };
  return z.strictObject(Object.fromEntries(columns.map((field) => [field.name, field.nullable ? of(field.type).nullable() : of(field.type)])));
}
