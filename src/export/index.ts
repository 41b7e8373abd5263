/** The export stage: filters, rewards, formats and writers from the run store to trainer-ready datasets. No Docker here. */

export * from './card.js';
export * from './columns.js';
export * from './export.js';
export * from './filter-run.js';
export * from './filters.js';
export * from './formats/index.js';
export * from './mlgym-runs.js';
export * from './pipeline.js';
export * from './provenance.js';
export * from './rewards.js';
export * from './summary.js';
export { arrowSchema } from './writers/arrow.js';
export { EXTENSIONS, type FileWriter, type WriterKind } from './writers/file-writer.js';
export { jsonlLine } from './writers/jsonl.js';
export { parquetSchema, ZSTD_LEVEL } from './writers/parquet.js';
export { estimateBytes, openFile, type SplitResult, SplitWriter, type SplitWriterOptions } from './writers/sharded.js';
