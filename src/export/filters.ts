/**
 * Filters, each a small named function: record filters look at one episode, set filters at the summaries of all the
 * episodes that survived so far. Every filter has a `name` (its --where text) and a `description`, which the dataset
 * card lists with its counts.
 */

import { InvalidArgumentError } from '../errors.js';
import type { EpisodeRecord } from '../store/index.js';
import { finalImprovement } from './rewards.js';
import { byScore, type EpisodeSummary, groupBy } from './summary.js';

export interface RecordFilter {
  readonly kind: 'record';
  readonly name: string;
  readonly description: string;
  keep(record: EpisodeRecord): boolean;
}

export interface SetFilter {
  readonly kind: 'set';
  readonly name: string;
  readonly description: string;
  /** The survivors, in their original order. */
  select(episodes: readonly EpisodeSummary[]): EpisodeSummary[];
}

export type EpisodeFilter = RecordFilter | SetFilter;

export type Comparison = '>=' | '<=' | '>' | '<' | '=';

function compare(value: number, op: Comparison, bound: number): boolean {
  switch (op) {
    case '>=':
      return value >= bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '<':
      return value < bound;
    case '=':
      return value === bound;
  }
}

const recordFilter = (name: string, description: string, keep: (record: EpisodeRecord) => boolean): RecordFilter => ({
  kind: 'record',
  name,
  description,
  keep,
});

/** Held-out score minus the baseline in metric units, positive when better (sign flipped for minimised metrics). */
export function absoluteImprovement(record: EpisodeRecord): number | undefined {
  const { baseline, final, direction } = record.scores;
  if (baseline === undefined || final?.score === undefined) return undefined;
  return (direction === 'minimize' ? -1 : 1) * (final.score - baseline);
}

export function improvementAtLeast(op: Comparison, bound: number): RecordFilter {
  return recordFilter(`improvement${op}${bound}`, `held-out score ${op} baseline + ${bound} (metric units, direction-aware)`, (record) => {
    const value = absoluteImprovement(record);
    return value !== undefined && compare(value, op, bound);
  });
}

export function relativeImprovementAtLeast(op: Comparison, bound: number): RecordFilter {
  return recordFilter(
    `relative-improvement${op}${bound}`,
    `normalised improvement of the held-out score over the baseline ${op} ${bound} (0.1 = 10 %)`,
    (record) => {
      const value = finalImprovement(record);
      return value !== undefined && compare(value, op, bound);
    },
  );
}

export function scoreBound(op: Comparison, bound: number): RecordFilter {
  return recordFilter(`score${op}${bound}`, `held-out score ${op} ${bound}`, (record) => {
    const score = record.scores.final?.score;
    return score !== undefined && compare(score, op, bound);
  });
}

export function exitStatusIn(statuses: readonly string[]): RecordFilter {
  return recordFilter(`exit=${statuses.join(',')}`, `exit status is ${statuses.map((status) => JSON.stringify(status)).join(' or ')}`, (record) =>
    statuses.includes(record.exitStatus),
  );
}

export function submittedOnly(): RecordFilter {
  return recordFilter('submitted', 'the agent submitted (exit status "submitted", not an autosubmission)', (record) => record.exitStatus === 'submitted');
}

export function stepBound(op: Comparison, bound: number): RecordFilter {
  return recordFilter(`steps${op}${bound}`, `number of steps ${op} ${bound}`, (record) => compare(record.steps.length, op, bound));
}

export function tokenBound(op: Comparison, bound: number): RecordFilter {
  return recordFilter(`tokens${op}${bound}`, `total tokens (prompt + completion) ${op} ${bound}`, (record) => compare(record.usage.totalTokens, op, bound));
}

/** Scored outside the agent's sandbox, by one evaluator (its hash never changed during the episode). */
export function integrityClean(): RecordFilter {
  return recordFilter('clean', 'integrity flags clean: evaluated outside the agent sandbox by a single evaluator hash', (record) => {
    const hashes = new Set(record.integrity.evaluatorHashes);
    return record.integrity.evaluatedOutsideAgentSandbox && hashes.size === 1;
  });
}

const setFilter = (name: string, description: string, select: (episodes: readonly EpisodeSummary[]) => EpisodeSummary[]): SetFilter => ({
  kind: 'set',
  name,
  description,
  select,
});

/** Keep members of `chosen`, in the original order. */
function inOrder(episodes: readonly EpisodeSummary[], chosen: Iterable<EpisodeSummary>): EpisodeSummary[] {
  const ids = new Set([...chosen].map((episode) => episode.episodeId));
  return episodes.filter((episode) => ids.has(episode.episodeId));
}

/** One episode per normalised action sequence (per task): the best-scored one. */
export function dedupActions(): SetFilter {
  return setFilter('dedup', 'one episode per task and normalised action sequence (whitespace, quotes and case ignored), the best-scored', (episodes) =>
    inOrder(
      episodes,
      [...groupBy(episodes, (episode) => episode.actionsKey).values()].map((group) => [...group].sort(byScore)[0]!),
    ),
  );
}

/** Share (0–100) of the task's episodes that this one scores at least as well as; 0 without a score. */
export function scorePercentiles(episodes: readonly EpisodeSummary[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const group of groupBy(episodes, (episode) => episode.taskId).values()) {
    // Goodness: the score, negated for minimised metrics; count the scored episodes with goodness ≤ this one's.
    const goodness = (episode: EpisodeSummary) => (episode.direction === 'maximize' ? episode.score! : -episode.score!);
    const sorted = group
      .filter((episode) => episode.score !== undefined)
      .map(goodness)
      .sort((a, b) => a - b);
    for (const episode of group) {
      if (episode.score === undefined) {
        result.set(episode.episodeId, 0);
        continue;
      }
      const value = goodness(episode);
      let low = 0;
      let high = sorted.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (sorted[middle]! <= value) low = middle + 1;
        else high = middle;
      }
      result.set(episode.episodeId, (100 * low) / group.length);
    }
  }
  return result;
}

export function percentileAtLeast(op: Comparison, bound: number): SetFilter {
  return setFilter(`percentile${op}${bound}`, `held-out score percentile within its task ${op} ${bound} (100 = best)`, (episodes) => {
    const percentiles = scorePercentiles(episodes);
    return episodes.filter((episode) => compare(percentiles.get(episode.episodeId)!, op, bound));
  });
}

export function topKPerTask(k: number): SetFilter {
  return setFilter(`top-k=${k}`, `the ${k} best-scored episodes of each task`, (episodes) =>
    inOrder(
      episodes,
      [...groupBy(episodes, (episode) => episode.taskId).values()].flatMap((group) => [...group].sort(byScore).slice(0, k)),
    ),
  );
}

/** At most `perTask` episodes of each task (default: as many as the smallest task has), the best-scored. */
export function balanceTasks(perTask?: number): SetFilter {
  return setFilter(
    perTask === undefined ? 'balance' : `balance=${perTask}`,
    `balanced across tasks: at most ${perTask ?? 'the smallest task’s count of'} episodes per task, the best-scored`,
    (episodes) => {
      const groups = [...groupBy(episodes, (episode) => episode.taskId).values()];
      const cap = perTask ?? Math.min(...groups.map((group) => group.length));
      return inOrder(
        episodes,
        groups.flatMap((group) => [...group].sort(byScore).slice(0, cap)),
      );
    },
  );
}

const WHERE = /^\s*([a-z][a-z-]*)\s*(?:(>=|<=|=|>|<)\s*(.+?))?\s*$/;

function numberArgument(text: string | undefined, where: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value))
    throw new InvalidArgumentError(`--where ${JSON.stringify(where)}: expected a number after the comparison`);
  return value;
}

export const WHERE_HELP =
  'improvement>=X (metric units; X% for relative), relative-improvement>=X, score>=X, percentile>=P, exit=S[,S...], submitted, steps<=N, tokens<=N, clean, dedup, top-k=K, balance[=N]';

/** One `--where` expression as a filter. */
export function parseWhere(text: string): EpisodeFilter {
  const match = WHERE.exec(text);
  if (!match) throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: expected one of ${WHERE_HELP}`);
  const [, name, op, value] = match as unknown as [string, string, Comparison | undefined, string | undefined];
  const need = (allowed: readonly string[]) => {
    if (!op || !allowed.includes(op)) throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: ${name} needs ${allowed.join(' or ')} and a value`);
    return op;
  };
  const none = () => {
    if (op) throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: ${name} takes no value`);
  };
  const comparisons = ['>=', '<=', '>', '<', '='];
  switch (name) {
    case 'improvement':
      return value?.trim().endsWith('%')
        ? relativeImprovementAtLeast(need(comparisons), numberArgument(value.trim().slice(0, -1), text) / 100)
        : improvementAtLeast(need(comparisons), numberArgument(value, text));
    case 'relative-improvement':
      return relativeImprovementAtLeast(need(comparisons), numberArgument(value, text));
    case 'score':
      return scoreBound(need(comparisons), numberArgument(value, text));
    case 'percentile':
      return percentileAtLeast(need(comparisons), numberArgument(value, text));
    case 'exit':
      need(['=']);
      return exitStatusIn(value!.split(',').map((status) => status.trim()));
    case 'submitted':
      none();
      return submittedOnly();
    case 'steps':
      return stepBound(need(comparisons), numberArgument(value, text));
    case 'tokens':
      return tokenBound(need(comparisons), numberArgument(value, text));
    case 'clean':
      none();
      return integrityClean();
    case 'dedup':
      none();
      return dedupActions();
    case 'top-k': {
      need(['=']);
      const k = numberArgument(value, text);
      if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: top-k needs a positive integer`);
      return topKPerTask(k);
    }
    case 'balance': {
      if (!op) return balanceTasks();
      need(['=']);
      const n = numberArgument(value, text);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: balance needs a positive integer`);
      return balanceTasks(n);
    }
    default:
      throw new InvalidArgumentError(`--where ${JSON.stringify(text)}: unknown filter ${JSON.stringify(name)}; expected one of ${WHERE_HELP}`);
  }
}
