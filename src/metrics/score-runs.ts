/**
 * `score`: run stores in, MLGym's tables out (Best Attempt@k, Best Submission@k, AUP, mean rank, Borda), and the
 * performance-profile SVG written next to the first run (or where `plot` says). Records stream; only scores stay.
 */

import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { newRunReadReport, type RunReadReport, streamEpisodes } from '../store/index.js';
import type { BestAttemptRule } from './attempts.js';
import { profileSvg } from './profile-svg.js';
import { type EpisodeScores, episodeScoresOf, type ScoreReport, scoreEpisodes } from './score-table.js';

export const PLOT_FILE_NAME = 'performance-profile.svg';

export interface ScoreParams {
  /** Run directories, `labgym run` outputs or episode JSONL files. */
  readonly inputs: readonly string[];
  /** Only these tasks / models (empty: all); then leave these out. */
  readonly tasks?: readonly string[];
  readonly models?: readonly string[];
  readonly excludeTasks?: readonly string[];
  readonly excludeModels?: readonly string[];
  /** Fix τ_max (comparable across runs); by default MLGym's data-dependent value. */
  readonly tauMax?: number;
  /** @default 'validation-selected' ('mlgym': MLGym's Best Attempt for every episode) */
  readonly bestAttempt?: BestAttemptRule;
  /** Fail on the first torn or invalid line instead of skipping it. */
  readonly strict?: boolean;
  /** Where to write the SVG; false: none. @default performance-profile.svg in the first input's run folder */
  readonly plot?: string | false;
}

export interface ScoreResult {
  readonly report: ScoreReport;
  readonly read: RunReadReport;
  /** The SVG written (absolute), if any. */
  readonly plot?: string;
}

/** The first input's folder: the run directory itself, or the folder of an episode file. */
export function defaultPlotPath(inputs: readonly string[]): string {
  const first = resolve(inputs[0] ?? '.');
  const folder = existsSync(first) && statSync(first).isFile() ? dirname(first) : first;
  return join(folder, PLOT_FILE_NAME);
}

const included = (name: string, include?: readonly string[], exclude?: readonly string[]) =>
  (!include?.length || include.includes(name)) && !exclude?.includes(name);

/** Stream the runs, keep each episode's few scores, score them and write the plot. Throws when no task has a baseline. */
export async function score(params: ScoreParams): Promise<ScoreResult> {
  const read = newRunReadReport();
  const episodes: EpisodeScores[] = [];
  for await (const record of streamEpisodes(params.inputs, read, { strict: params.strict })) {
    if (included(record.task.id, params.tasks, params.excludeTasks) && included(record.model.name, params.models, params.excludeModels))
      episodes.push(episodeScoresOf(record));
  }
  const report = scoreEpisodes(episodes, { tauMax: params.tauMax, bestAttempt: params.bestAttempt });
  if (report.tasks.length === 0) {
    const without = report.tasksWithoutBaseline.length ? ` (without a baseline: ${report.tasksWithoutBaseline.join(', ')})` : '';
    throw new InvalidArgumentError(`no task with a baseline score among ${read.records} episodes${without}`);
  }
  if (params.plot === false) return { report, read };
  const plot = resolve(params.plot ?? defaultPlotPath(params.inputs));
  await mkdir(dirname(plot), { recursive: true });
  const svg = profileSvg([
    { title: 'Best Attempt', result: report.bestAttempt.aup },
    { title: 'Best Submission', result: report.bestSubmission.aup },
  ]);
  await writeFile(`${plot}.partial`, svg);
  await rename(`${plot}.partial`, plot);
  return { report, read, plot };
}
