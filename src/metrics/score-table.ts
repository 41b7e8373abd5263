/**
 * From episodes to MLGym's score tables: per task and model, Best Attempt@k and Best Submission@k over the
 * model's runs (episodes), then AUP on each table (τ_max from both tables, as MLGym does, unless fixed), and the
 * mean rank and Borda count. Pure functions over small per-episode summaries; no I/O here.
 */

import { bestAttempt, bestSubmission, type RunScores } from './attempts.js';
import { computeAup, type AupResult, type Direction, type TaskScores } from './profiles.js';
import { rankings, type Rankings } from './ranks.js';
import type { EpisodeRecord } from '../store/index.js';

/** What scoring needs from one episode. */
export interface EpisodeScores {
  readonly task: string;
  readonly model: string;
  readonly direction?: Direction;
  readonly baseline?: number;
  /** Successful evaluations in order: validations, then the final one (MLGym's results.json "agent" list). */
  readonly scores: RunScores;
}

export interface ScoreTable {
  readonly tasks: TaskScores[];
  readonly aup: AupResult;
  readonly rankings: Rankings;
}

export interface ScoreReport {
  readonly models: string[];
  readonly tasks: string[];
  /** Tasks left out because no episode recorded a baseline. */
  readonly tasksWithoutBaseline: string[];
  /** Episodes (runs) per task and model. */
  readonly runs: Record<string, Record<string, number>>;
  readonly bestAttempt: ScoreTable;
  readonly bestSubmission: ScoreTable;
  readonly tauMax: number;
  readonly tauMaxFixed: boolean;
}

export interface ScoreOptions {
  /** Fix τ_max (comparable across runs); by default MLGym's data-dependent value. */
  readonly tauMax?: number;
}

function table(tasks: TaskScores[], others: TaskScores[][], models: string[], tauMax: number | undefined): ScoreTable {
  const aup = computeAup(tasks, models, tauMax === undefined ? { tauMaxTables: others } : { tauMax });
  const withBaseline = tasks.map((task) => ({ ...task, scores: { ...task.scores, baseline: task.baseline } }));
  return { tasks, aup, rankings: rankings(withBaseline, [...models, 'baseline']) };
}

export function scoreEpisodes(episodes: readonly EpisodeScores[], options: ScoreOptions = {}): ScoreReport {
  const models = [...new Set(episodes.map((episode) => episode.model))].sort();
  const allTasks = [...new Set(episodes.map((episode) => episode.task))].sort();
  const runs: Record<string, Record<string, number>> = {};
  const attempt: TaskScores[] = [];
  const submission: TaskScores[] = [];
  const tasksWithoutBaseline: string[] = [];
  for (const task of allTasks) {
    const ofTask = episodes.filter((episode) => episode.task === task);
    const baseline = ofTask.find((episode) => episode.baseline !== undefined)?.baseline;
    const direction = ofTask.find((episode) => episode.direction !== undefined)?.direction ?? 'maximize';
    runs[task] = Object.fromEntries(models.map((model) => [model, ofTask.filter((episode) => episode.model === model).length]));
    if (baseline === undefined) {
      tasksWithoutBaseline.push(task);
      continue;
    }
    const byModel = (pick: (runs: RunScores[], direction: Direction) => number | undefined) =>
      Object.fromEntries(models.map((model) => [model, pick(ofTask.filter((episode) => episode.model === model).map((episode) => episode.scores), direction)]));
    attempt.push({ task, direction, baseline, scores: byModel(bestAttempt) });
    submission.push({ task, direction, baseline, scores: byModel(bestSubmission) });
  }
  const tasks = attempt.map((task) => task.task);
  if (tasks.length === 0) {
    const empty = { tasks: [], aup: { tauMax: options.tauMax ?? 0, grid: [], methods: [...models, 'baseline'], profiles: {}, aup: {} }, rankings: { meanRank: {}, borda: {} } };
    return { models, tasks, tasksWithoutBaseline, runs, bestAttempt: empty, bestSubmission: empty, tauMax: options.tauMax ?? 0, tauMaxFixed: options.tauMax !== undefined };
  }
  const bestAttemptTable = table(attempt, [attempt, submission], models, options.tauMax);
  const bestSubmissionTable = table(submission, [attempt, submission], models, options.tauMax);
  return {
    models,
    tasks,
    tasksWithoutBaseline,
    runs,
    bestAttempt: bestAttemptTable,
    bestSubmission: bestSubmissionTable,
    tauMax: bestAttemptTable.aup.tauMax,
    tauMaxFixed: options.tauMax !== undefined,
  };
}

/** An episode record's part in scoring (its evaluations in order, as MLGym's results.json lists them). */
export function episodeScoresOf(record: EpisodeRecord): EpisodeScores {
  const entries = [...record.scores.validations, ...(record.scores.final ? [record.scores.final] : [])];
  return {
    task: record.task.id,
    model: record.model.name,
    direction: record.scores.direction,
    baseline: record.scores.baseline,
    scores: entries.flatMap((entry) => (entry.score === undefined || !Number.isFinite(entry.score) ? [] : [entry.score])),
  };
}
