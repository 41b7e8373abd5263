/**
 * MLGym run directories (`<task>.traj` and `results.json`, named `<model>__<task>__<config>__t-..__p-..__c-..__install-0[__suffix]_run_<i>`)
 * into a run store (`<out>/episodes/mlgym.jsonl`); a run directory whose .traj is missing (some are, upstream) still
 * imports its scores from results.json.
 */

import { once } from 'node:events';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/index.js';
import { ConfigError, InvalidArgumentError } from '../errors.js';
import { MLGYM_PRIMARY_METRICS } from '../tasks/import-mlgym.js';
import { type EpisodeRecord, EpisodeRecordSchema } from './episode-record.js';
import { fromMlgymRun, type MlgymResults, MlgymResultsSchema, type MlgymRun, readMlgymRun } from './mlgym-trajectory.js';

export interface MlgymRunDir {
  readonly dir: string;
  readonly model: string;
  readonly task: string;
  readonly runIndex: number;
  readonly temperature?: number;
  readonly topP?: number;
}

/** Parse MLGym's run-dir name; undefined when it does not follow run.py's scheme. */
export function parseRunDirName(name: string): Omit<MlgymRunDir, 'dir'> | undefined {
  const parts = name.split('__');
  if (parts.length < 2) return undefined;
  const run = /_run_(\d+)$/.exec(name);
  const number = (prefix: string) => {
    const part = parts.find((p) => p.startsWith(prefix));
    const value = part === undefined ? Number.NaN : Number(part.slice(prefix.length).replace(/_run_\d+$/, ''));
    return Number.isFinite(value) ? value : undefined;
  };
  return { model: parts[0]!, task: parts[1]!.replace(/_run_\d+$/, ''), runIndex: run ? Number(run[1]) : 0, temperature: number('t-'), topP: number('p-') };
}

/** Run directories under `root` (itself, or up to three levels down): those holding results.json or a .traj. */
export function findRunDirs(root: string, depth = 3): string[] {
  const entries = readdirSync(root);
  if (entries.includes('results.json') || entries.some((name) => name.endsWith('.traj'))) return [root];
  if (depth === 0) return [];
  return entries
    .sort()
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isDirectory())
    .flatMap((path) => findRunDirs(path, depth - 1));
}

export function importMlgymRunDir(dir: string): EpisodeRecord {
  const name = basename(dir);
  const parsed = parseRunDirName(name);
  const trajName = readdirSync(dir).find((file) => file.endsWith('.traj'));
  const taskId = parsed?.task ?? trajName?.replace(/\.traj$/, '') ?? name;
  const resultsPath = join(dir, 'results.json');
  let run: MlgymRun;
  let scoresOnly: MlgymResults['agent'] | undefined;
  if (trajName) run = readMlgymRun(join(dir, trajName));
  else {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(resultsPath, 'utf8'));
    } catch (error) {
      throw new ConfigError(resultsPath, '', 'valid JSON', (error as Error).message);
    }
    const results = validateConfig(resultsPath, MlgymResultsSchema, data);
    scoresOnly = results.agent;
    // No steps to attach scores to: convert without them, then fill the scores in below.
    run = { traj: { trajectory: [], history: [], info: { score: [], exit_status: '' } }, results: { ...results, agent: [] } };
  }
  // MLGym's own table says which metric ranks a task and which way; unknown tasks: the first metric, maximised.
  const known = MLGYM_PRIMARY_METRICS[taskId];
  const primaryMetric = known?.name ?? Object.keys(run.results?.baseline ?? run.traj.info.score?.[0] ?? scoresOnly?.[0] ?? {})[0];
  const direction = known?.direction ?? 'maximize';
  const record = fromMlgymRun(run, { taskId, episodeId: `mlgym:${name}`, modelName: parsed?.model ?? 'unknown', primaryMetric, direction });
  const sampling = {
    ...(parsed?.temperature !== undefined ? { temperature: parsed.temperature } : {}),
    ...(parsed?.topP !== undefined ? { topP: parsed.topP } : {}),
  };
  if (scoresOnly) {
    // Without the .traj nothing says which scores were validations: all but the last are, as MLGym's results list them.
    const entry = (metrics: Record<string, number>) => ({ metrics, score: primaryMetric === undefined ? undefined : metrics[primaryMetric] });
    const all = scoresOnly.map(entry).filter((e) => e.score !== undefined);
    record.scores.validations = scoresOnly.slice(0, -1).map(entry);
    if (scoresOnly.length) record.scores.final = entry(scoresOnly.at(-1)!);
    if (all.length) {
      record.scores.best = (direction === 'maximize' ? Math.max : Math.min)(...all.map((e) => e.score!));
      record.scores.bestRule = 'mlgym';
    }
    record.error = 'the .traj file is missing; scores imported from results.json';
  }
  return { ...record, model: { ...record.model, sampling } };
}

export interface ImportResult {
  readonly out: string;
  readonly episodes: number;
  readonly withoutTrajectory: number;
}

/**
 * Import MLGym run directories under `root` into a new run store at `out` (`episodes/mlgym.jsonl` and
 * `spec.yaml`); the file appears whole or not at all.
 */
export async function importMlgymRun(root: string, out: string): Promise<ImportResult> {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InvalidArgumentError(`${root}: expected a directory of MLGym run directories`);
  const dirs = findRunDirs(resolve(root));
  if (dirs.length === 0) throw new ConfigError(root, '', 'MLGym run directories (holding <task>.traj or results.json)', 'none');
  const file = join(resolve(out), 'episodes', 'mlgym.jsonl');
  if (existsSync(join(resolve(out), 'spec.yaml')) || existsSync(join(resolve(out), 'episodes'))) {
    throw new InvalidArgumentError(`--out ${out}: already holds a run (spec.yaml or episodes/); choose a new run folder`);
  }
  await mkdir(join(resolve(out), 'episodes'), { recursive: true });
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial);
  let withoutTrajectory = 0;
  for (const dir of dirs) {
    const record = importMlgymRunDir(dir);
    if (record.steps.length === 0 && record.error) withoutTrajectory++;
    if (!stream.write(`${JSON.stringify(EpisodeRecordSchema.parse(record))}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  await writeFile(join(resolve(out), 'spec.yaml'), stringify({ source: 'mlgym', importedFrom: resolve(root), runDirs: dirs.length }));
  await rename(partial, file);
  return { out: resolve(out), episodes: dirs.length, withoutTrajectory };
}
