/**
 * One split of a dataset in the Hugging Face layout: `data/<split>-NNNNN-of-NNNNN.<ext>`. Rows are batched (bounded
 * by rows and estimated bytes, so memory stays flat) and a new shard starts past `shardBytes`; shards get their final
 * names (the total is known only at the end) when the split closes.
 */

import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column, Row } from '../columns.js';
import { openArrowFile } from './arrow.js';
import { EXTENSIONS, type FileWriter, type WriterKind } from './file-writer.js';
import { openJsonlFile } from './jsonl.js';
import { openParquetFile } from './parquet.js';

export interface SplitWriterOptions {
  /** Rows per batch (row group) at most. @default 10000 */
  readonly batchRows?: number;
  /** Estimated uncompressed bytes per batch at most (8 MiB keeps a 2.4 GB export near 300 MB peak RSS). @default 8 MiB @unit bytes */
  readonly batchBytes?: number;
  /** Estimated uncompressed bytes per shard before a new one starts. @default 1 GiB @unit bytes */
  readonly shardBytes?: number;
  /** Parquet key-value metadata. */
  readonly metadata?: Record<string, string>;
}

export interface SplitResult {
  readonly split: string;
  readonly rows: number;
  /** Paths relative to the dataset root (data/train-00000-of-00002.parquet, ...). */
  readonly files: string[];
}

/** A cheap size estimate: the text lengths in a row (what dominates agent data). */
export function estimateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 4;
  if (value === null || value === undefined) return 1;
  if (Array.isArray(value)) {
    let total = 4;
    for (const item of value) total += estimateBytes(item);
    return total;
  }
  if (typeof value === 'object') {
    let total = 0;
    for (const key in value) total += estimateBytes((value as Record<string, unknown>)[key]);
    return total;
  }
  return 8;
}

export function openFile(kind: WriterKind, path: string, columns: readonly Column[], metadata?: Record<string, string>): Promise<FileWriter> {
  if (kind === 'parquet') return openParquetFile(path, columns, metadata);
  if (kind === 'arrow') return openArrowFile(path, columns);
  return openJsonlFile(path, columns);
}

/** Writes one split; a batch is a Parquet row group or an Arrow record batch. */
export class SplitWriter {
  private batch: Row[] = [];
  private batchBytes = 0;
  private shardBytes = 0;
  private file: FileWriter | undefined;
  private readonly temporary: string[] = [];
  private rows = 0;

  constructor(
    private readonly root: string,
    readonly split: string,
    private readonly kind: WriterKind,
    private readonly columns: readonly Column[],
    private readonly options: SplitWriterOptions = {},
  ) {}

  async write(row: Row): Promise<void> {
    this.batch.push(row);
    this.rows++;
    this.batchBytes += estimateBytes(row);
    if (this.batch.length >= (this.options.batchRows ?? 10_000) || this.batchBytes >= (this.options.batchBytes ?? 8 << 20)) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    if (!this.file) {
      const path = join(this.root, 'data', `${this.split}-${this.temporary.length}.partial`);
      this.temporary.push(path);
      this.file = await openFile(this.kind, path, this.columns, this.options.metadata);
    }
    await this.file.write(this.batch);
    this.shardBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    if (this.shardBytes >= (this.options.shardBytes ?? 1 << 30)) await this.closeShard();
  }

  private async closeShard(): Promise<void> {
    await this.file?.close();
    this.file = undefined;
    this.shardBytes = 0;
  }

  async close(): Promise<SplitResult> {
    await this.flush();
    await this.closeShard();
    // An empty split still gets one (empty) file, so every configured split has data files.
    if (this.temporary.length === 0) {
      const path = join(this.root, 'data', `${this.split}-0.partial`);
      this.temporary.push(path);
      const file = await openFile(this.kind, path, this.columns, this.options.metadata);
      await file.close();
    }
    const total = this.temporary.length;
    const files: string[] = [];
    for (const [index, path] of this.temporary.entries()) {
      const name = `data/${this.split}-${String(index).padStart(5, '0')}-of-${String(total).padStart(5, '0')}.${EXTENSIONS[this.kind]}`;
      await rename(path, join(this.root, name));
      files.push(name);
    }
    return { split: this.split, rows: this.rows, files };
  }
}
