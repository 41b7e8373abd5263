/** The few facts about an episode that set-level filters and preference pairing need (kept for every episode). */

import { createHash } from 'node:crypto';
import type { EpisodeRecord } from '../store/index.js';

export interface EpisodeSummary {
  readonly episodeId: string;
  readonly taskId: string;
  readonly model: string;
  readonly seed: number | undefined;
  /** The held-out (final) score; undefined when the episode has none. */
  readonly score: number | undefined;
  readonly direction: 'maximize' | 'minimize';
  /** Hash of the normalised action sequence (near-duplicate detection). */
  readonly actionsKey: string;
}

/**
 * A command as dedup compares it: whitespace runs collapsed, quotes and case dropped, numbers kept. `ls -la`,
 * `ls  -la\n` and `LS "-la"` are the same command; exit pseudo-actions (exit_format, ...) are not actions.
 */
export function normalizeCommand(action: string): string {
  return action.trim().replace(/["'`]/g, '').replace(/\s+/g, ' ').toLowerCase();
}

export function actionsKey(record: EpisodeRecord): string {
  const actions = record.steps.map((step) => normalizeCommand(step.action)).filter((action) => action && !/^exit_\w+$/.test(action));
  return createHash('sha256')
    .update(`${record.task.id}\0${actions.join('\0')}`)
    .digest('hex')
    .slice(0, 32);
}

export function summarize(record: EpisodeRecord): EpisodeSummary {
  return {
    episodeId: record.episodeId,
    taskId: record.task.id,
    model: record.model.name,
    seed: record.seed,
    score: record.scores.final?.score,
    direction: record.scores.direction ?? 'maximize',
    actionsKey: actionsKey(record),
  };
}

/** Best first; episodes without a score last; ties by episode id (deterministic). */
export function byScore(a: EpisodeSummary, b: EpisodeSummary): number {
  if (a.score === undefined || b.score === undefined)
    return (a.score === undefined ? 1 : 0) - (b.score === undefined ? 1 : 0) || a.episodeId.localeCompare(b.episodeId);
  const sign = a.direction === 'maximize' ? -1 : 1;
  return sign * (a.score - b.score) || a.episodeId.localeCompare(b.episodeId);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
