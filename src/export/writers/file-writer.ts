/** One output file of a writer kind: rows go in batch by batch (a Parquet row group, an Arrow record batch). */

export interface FileWriter {
  write(rows: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

export type WriterKind = 'parquet' | 'jsonl' | 'arrow';

export const EXTENSIONS: Record<WriterKind, string> = { parquet: 'parquet', jsonl: 'jsonl', arrow: 'arrow' };
