/** JSON Lines files: one row a line, `json` columns as their JSON text (the same cell the Parquet file holds). */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Column } from '../columns.js';
import type { FileWriter } from './file-writer.js';

export function jsonlLine(row: Record<string, unknown>, columns: readonly Column[]): string {
  const out: Record<string, unknown> = {};
  for (const field of columns) {
    const value = row[field.name] ?? null;
    out[field.name] = field.type === 'json' && value !== null ? JSON.stringify(value) : value;
  }
  return `${JSON.stringify(out)}\n`;
}

export async function openJsonlFile(path: string, columns: readonly Column[]): Promise<FileWriter> {
  const stream = createWriteStream(path);
  await once(stream, 'open');
  return {
    async write(rows) {
      const text = rows.map((row) => jsonlLine(row, columns)).join('');
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      await once(stream, 'finish');
    },
  };
}
