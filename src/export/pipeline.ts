/**
 * Filtering as a stream: record filters run on each episode as it is read; set filters (dedup, percentile,
 * top-k, balance) need a first pass that keeps only small summaries, then a second pass streams the chosen
 * records. Either way no more than one record is held at a time, and every filter's count is recorded.
 */

import { type EpisodeRecord, newRunReadReport, type RunReadOptions, type RunReadReport, streamEpisodes } from '../store/index.js';
import type { EpisodeFilter, RecordFilter, SetFilter } from './filters.js';
import { type EpisodeSummary, summarize } from './summary.js';

export interface FilterCount {
  readonly name: string;
  readonly description: string;
  /** Episodes that reached this filter and that it kept. */
  before: number;
  after: number;
}

export interface SelectionParams {
  readonly inputs: readonly string[];
  readonly filters: readonly EpisodeFilter[];
  readonly read?: RunReadOptions;
  /** Also collect the summaries of the selected episodes (for formats that pair episodes). */
  readonly wantSummaries?: boolean;
}

export interface Selection {
  /** The selected records, in store order (iterate once). */
  readonly records: AsyncIterable<EpisodeRecord>;
  /** What the (first) read saw: lines, records, duplicates, skipped lines. Complete once records are consumed. */
  readonly report: RunReadReport;
  /** Record filters first (in the order given), then set filters (in the order given). */
  readonly counts: FilterCount[];
  /** Summaries of the selected episodes; present before iterating when a first pass ran. */
  readonly summaries?: EpisodeSummary[];
}

function applyRecordFilters(record: EpisodeRecord, filters: readonly RecordFilter[], counts: readonly FilterCount[]): boolean {
  for (const [i, filter] of filters.entries()) {
    counts[i]!.before++;
    if (!filter.keep(record)) return false;
    counts[i]!.after++;
  }
  return true;
}

/** Select episodes; runs the first pass (when a set filter or `wantSummaries` asks for it) before returning. */
export async function selectEpisodes(params: SelectionParams): Promise<Selection> {
  const recordFilters = params.filters.filter((filter): filter is RecordFilter => filter.kind === 'record');
  const setFilters = params.filters.filter((filter): filter is SetFilter => filter.kind === 'set');
  const counts: FilterCount[] = [...recordFilters, ...setFilters].map((filter) => ({
    name: filter.name,
    description: filter.description,
    before: 0,
    after: 0,
  }));
  const report = newRunReadReport();

  if (setFilters.length === 0 && !params.wantSummaries) {
    async function* onePass(): AsyncGenerator<EpisodeRecord> {
      for await (const record of streamEpisodes(params.inputs, report, params.read)) {
        if (applyRecordFilters(record, recordFilters, counts)) yield record;
      }
    }
    return { records: onePass(), report, counts };
  }

  let summaries: EpisodeSummary[] = [];
  for await (const record of streamEpisodes(params.inputs, report, params.read)) {
    if (applyRecordFilters(record, recordFilters, counts)) summaries.push(summarize(record));
  }
  for (const [i, filter] of setFilters.entries()) {
    const count = counts[recordFilters.length + i]!;
    count.before = summaries.length;
    summaries = filter.select(summaries);
    count.after = summaries.length;
  }
  const chosen = new Set(summaries.map((summary) => summary.episodeId));
  async function* secondPass(): AsyncGenerator<EpisodeRecord> {
    // The first pass already reported bad lines and counted duplicates; this one only re-reads.
    for await (const record of streamEpisodes(params.inputs, newRunReadReport(), { ...params.read, strict: false })) {
      if (chosen.delete(record.episodeId)) yield record;
    }
  }
  return { records: secondPass(), report, counts, summaries };
}
