/**
 * `exportDataset`: run store → filtered episodes → rows of a format → files of a writer, in the Hugging Face layout.
 * Written under a temporary sibling folder and renamed into place at the end, so a failed or interrupted export never
 * leaves a half-written dataset (nor touches an existing one unless `overwrite`).
 */

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../assets.js';
import { InvalidArgumentError } from '../errors.js';
import type { RunReadOptions, RunReadReport } from '../store/index.js';
import { renderCard } from './card.js';
import { toFilters } from './filter-run.js';
import type { EpisodeFilter } from './filters.js';
import { datasetInfo, type FormatName, type FormatOptions, rowFormat } from './formats/index.js';
import { MlgymRunWriter } from './mlgym-runs.js';
import { type FilterCount, selectEpisodes } from './pipeline.js';
import { Provenance } from './provenance.js';
import type { WriterKind } from './writers/file-writer.js';
import { type SplitResult, SplitWriter, type SplitWriterOptions } from './writers/sharded.js';

export interface ExportParams {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly format: FormatName;
  /** @default 'parquet' */
  readonly writer?: WriterKind;
  /** Filters, or their --where text (`improvement>=0`, `top-k=1`, ...). */
  readonly filters?: readonly (EpisodeFilter | string)[];
  readonly formatOptions?: FormatOptions;
  /** @default 'train' */
  readonly split?: string;
  /** The card's title. @default the out folder's name */
  readonly name?: string;
  readonly read?: RunReadOptions;
  /** Replace an existing dataset at `out` (only once the new one is complete). */
  readonly overwrite?: boolean;
  readonly files?: SplitWriterOptions;
  /** Called every 1000 episodes. */
  readonly onProgress?: (episodes: number, rows: number) => void;
}

export interface ExportResult {
  readonly out: string;
  readonly format: FormatName;
  readonly writer: WriterKind;
  /** Episodes that passed the filters. */
  readonly episodes: number;
  readonly rows: number;
  readonly splits: SplitResult[];
  readonly filters: FilterCount[];
  readonly read: RunReadReport;
}

export function generatorVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

async function prepareOut(out: string, overwrite: boolean): Promise<string> {
  if (existsSync(out) && (await readdir(out)).length > 0 && !overwrite) {
    throw new InvalidArgumentError(`--out ${out}: already holds files; choose another folder or pass --overwrite`);
  }
  const temporary = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(join(temporary, 'data'), { recursive: true });
  return temporary;
}

async function publish(temporary: string, out: string): Promise<void> {
  if (existsSync(out)) {
    const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
    await rename(out, old);
    await rename(temporary, out);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(temporary, out);
  }
}

/** Writes `data/<split>-NNNNN-of-NNNNN.<ext>` and a README.md card (sharegpt adds dataset_info.json). */
export async function exportDataset(params: ExportParams): Promise<ExportResult> {
  const out = resolve(params.out);
  const writerKind = params.writer ?? 'parquet';
  const splitName = params.split ?? 'train';
  if (!/^[A-Za-z0-9_.]+$/.test(splitName)) throw new InvalidArgumentError(`--split: expected letters, digits, "_" or ".", got ${JSON.stringify(splitName)}`);
  const format = params.format === 'mlgym' ? undefined : rowFormat(params.format, params.formatOptions);
  const selection = await selectEpisodes({
    inputs: params.inputs,
    filters: toFilters(params.filters),
    read: params.read,
    wantSummaries: format?.wantsSummaries,
  });
  const temporary = await prepareOut(out, params.overwrite ?? false);
  try {
    const provenance = new Provenance();
    let rows = 0;
    let splits: SplitResult[] = [];
    if (!format) {
      const runs = new MlgymRunWriter(temporary);
      for await (const record of selection.records) {
        provenance.add(record);
        await runs.write(record);
        if (++rows % 1000 === 0) params.onProgress?.(provenance.episodes, rows);
      }
      await rm(join(temporary, 'data'), { recursive: true });
      splits = [{ split: splitName, rows, files: runs.dirs }];
    } else {
      format.begin?.(selection.summaries ?? []);
      const version = generatorVersion();
      const split = new SplitWriter(temporary, splitName, writerKind, format.columns, {
        ...params.files,
        metadata: { 'labgym.format': format.name, 'labgym.version': version },
      });
      for await (const record of selection.records) {
        provenance.add(record);
        for (const row of format.rows(record)) {
          await split.write(row);
          rows++;
        }
        if (provenance.episodes % 1000 === 0) params.onProgress?.(provenance.episodes, rows);
      }
      splits = [await split.close()];
    }
    const read = selection.report;
    const card = renderCard({
      name: params.name ?? basename(out),
      generatorVersion: generatorVersion(),
      format: params.format,
      formatDescription: format?.description ?? 'one MLGym run directory per episode (<task>.traj and results.json)',
      writer: format ? writerKind : 'mlgym run directories',
      columns: format?.columns ?? [],
      splits,
      filters: selection.counts,
      provenance,
      source: {
        inputs: params.inputs,
        lines: read.lines,
        records: read.records,
        duplicates: read.duplicates,
        incomplete: read.incomplete,
        skippedLines: read.problems.length,
      },
      ...(params.format === 'transitions' ? { shaping: params.formatOptions?.shaping ?? {} } : {}),
    });
    await writeFile(join(temporary, 'README.md'), card);
    if (params.format === 'sharegpt')
      await writeFile(join(temporary, 'dataset_info.json'), `${JSON.stringify(datasetInfo(params.name ?? basename(out), splits[0]!.files), null, 2)}\n`);
    await publish(temporary, out);
    return { out, format: params.format, writer: writerKind, episodes: provenance.episodes, rows, splits, filters: selection.counts, read };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
