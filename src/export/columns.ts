/**
 * The column schema of an export format: one small type language that the Parquet, Arrow and JSONL writers all
 * read, so a format declares its columns once. Nested columns stay nested (list<struct<...>>), never JSON text;
 * `json` is for values whose shape varies row to row (tool JSON schemas), stored as text with the JSON annotation.
 */

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
