/**
 * From episodes to MLGym's score tables: per task and model, Best Attempt@k (validation-selected by default, or
 * MLGym's) and Best Submission@k over the model's runs (episodes), then AUP on each table (τ_max from both tables,
 * as MLGym does, unless fixed), and the mean rank and Borda count. Pure functions over small per-episode summaries.
 */

import type { EpisodeRecord } from '../store/index.js';
import { type BestAttemptRule, bestAttempt, bestSubmission, hasSplitScores, type RunScores, validationSelectedAttempt } from './attempts.js';
import { type AupResult, computeAup, type Direction, type TaskScores } from './profiles.js';
import { type Rankings, rankings } from './ranks.js';

/** What scoring needs from one episode. */
export interface EpisodeScores {
  readonly task: string;
  readonly model: string;
  readonly direction?: Direction;
  readonly baseline?: number;
  /** Successful evaluations in order: validations, then the final one (MLGym's results.json "agent" list). */
  readonly scores: RunScores;
  /**
   * The attempts were scored on both splits (and the run was not MLGym-compatible): Best Attempt is then
   * `validationSelected`; otherwise (version 1, MLGym imports) it uses `scores` as MLGym does.
   */
  readonly splitAware?: boolean;
  /** The test score of the attempt with the best validation score; undefined when its test evaluation failed. */
  readonly validationSelected?: number;
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
  /** The Best Attempt definition asked for (episodes without split scores use MLGym's whatever this says). */
  readonly bestAttemptRule: BestAttemptRule;
  /** Episodes whose Best Attempt score is validation-selected (the others use MLGym's definition). */
  readonly validationSelectedEpisodes: number;
}

export interface ScoreOptions {
  /** Fix τ_max (comparable across runs); by default MLGym's data-dependent value. */
  readonly tauMax?: number;
  /**
   * 'validation-selected' (default): a run's Best Attempt is the test score of its attempt with the best validation
   * score, where the record has split scores; 'mlgym': MLGym's best over every evaluation, for every episode.
   */
  readonly bestAttempt?: BestAttemptRule;
}

/** One run's Best Attempt score under `rule`. */
function runBestAttempt(episode: EpisodeScores, rule: BestAttemptRule, direction: Direction): number | undefined {
  if (rule === 'validation-selected' && episode.splitAware) return episode.validationSelected;
  return bestAttempt([episode.scores], direction);
}

function table(tasks: TaskScores[], others: TaskScores[][], models: string[], tauMax: number | undefined): ScoreTable {
  const aup = computeAup(tasks, models, tauMax === undefined ? { tauMaxTables: others } : { tauMax });
  const withBaseline = tasks.map((task) => ({ ...task, scores: { ...task.scores, baseline: task.baseline } }));
  return { tasks, aup, rankings: rankings(withBaseline, [...models, 'baseline']) };
}

export function scoreEpisodes(episodes: readonly EpisodeScores[], options: ScoreOptions = {}): ScoreReport {
  const rule = options.bestAttempt ?? 'validation-selected';
  const validationSelectedEpisodes = rule === 'mlgym' ? 0 : episodes.filter((episode) => episode.splitAware).length;
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
    const byModel = (pick: (runs: EpisodeScores[]) => number | undefined) =>
      Object.fromEntries(models.map((model) => [model, pick(ofTask.filter((episode) => episode.model === model))]));
    const runBests = (runs: EpisodeScores[]) => runs.map((episode) => runBestAttempt(episode, rule, direction)).filter((score) => score !== undefined);
    attempt.push({ task, direction, baseline, scores: byModel((runs) => bestAttempt([runBests(runs)], direction)) });
    submission.push({
      task,
      direction,
      baseline,
      scores: byModel((runs) =>
        bestSubmission(
          runs.map((episode) => episode.scores),
          direction,
        ),
      ),
    });
  }
  const tasks = attempt.map((task) => task.task);
  if (tasks.length === 0) {
    const empty = {
      tasks: [],
      aup: { tauMax: options.tauMax ?? 0, grid: [], methods: [...models, 'baseline'], profiles: {}, aup: {} },
      rankings: { meanRank: {}, borda: {} },
    };
    return {
      models,
      tasks,
      tasksWithoutBaseline,
      runs,
      bestAttempt: empty,
      bestSubmission: empty,
      tauMax: options.tauMax ?? 0,
      tauMaxFixed: options.tauMax !== undefined,
      bestAttemptRule: rule,
      validationSelectedEpisodes,
    };
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
    bestAttemptRule: rule,
    validationSelectedEpisodes,
  };
}

/**
 * An episode record's part in scoring: its evaluations in order (as MLGym's results.json lists them) and, unless
 * the record was scored MLGym's way (`bestRule` 'mlgym'), the test score of its validation-selected attempt.
 */
export function episodeScoresOf(record: EpisodeRecord): EpisodeScores {
  const entries = [...record.scores.validations, ...(record.scores.final ? [record.scores.final] : [])];
  const direction = record.scores.direction;
  // A record written with the validation-selected rule keeps its own pick (even when no test score survived);
  // records without a rule (version 1) are split-aware only if their attempts carry both splits.
  const rule = record.scores.bestRule;
  const splitAware = rule === 'validation-selected' || (rule === undefined && hasSplitScores(entries));
  const validationSelected = !splitAware
    ? undefined
    : rule === 'validation-selected'
      ? record.scores.best
      : validationSelectedAttempt(entries, direction ?? 'maximize')?.testScore;
  return {
    task: record.task.id,
    model: record.model.name,
    direction,
    baseline: record.scores.baseline,
    scores: entries.flatMap((entry) => (entry.score === undefined || !Number.isFinite(entry.score) ? [] : [entry.score])),
    ...(splitAware ? { splitAware, ...(validationSelected === undefined ? {} : { validationSelected }) } : {}),
  };
}
