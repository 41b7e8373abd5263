/** The export stage: filters, rewards, formats and writers from the run store to trainer-ready datasets. No Docker here. */
export * from './columns.js';
export * from './filters.js';
export * from './rewards.js';
export * from './summary.js';
export * from './pipeline.js';
export * from './provenance.js';
export * from './card.js';
export * from './export.js';
export * from './filter-run.js';
export * from './mlgym-runs.js';
export * from './formats/index.js';
export { SplitWriter, estimateBytes, openFile, type SplitResult, type SplitWriterOptions } from './writers/sharded.js';
export { parquetSchema, ZSTD_LEVEL } from './writers/parquet.js';
export { arrowSchema } from './writers/arrow.js';
export { jsonlLine } from './writers/jsonl.js';
export { EXTENSIONS, type FileWriter, type WriterKind } from './writers/file-writer.js';
