/**
 * Rankings across tasks as MLGym reports them: the mean rank (its "Plackett-Luce" column) and the Borda count
 * (Σ over tasks of n − rank index, n = number of methods). Methods without a score on a task rank last there,
 * in name order (MLGym appends them in set order, which is arbitrary).
 */

import type { TaskScores } from './profiles.js';

/** Methods of one task from best to worst. */
export function rankTask(task: TaskScores, methods: readonly string[]): string[] {
  const scored = methods.filter((method) => Number.isFinite(task.scores[method] ?? Number.NaN));
  const sign = task.direction === 'maximize' ? -1 : 1;
  scored.sort((a, b) => sign * (task.scores[a]! - task.scores[b]!) || a.localeCompare(b));
  const missing = methods.filter((method) => !scored.includes(method)).sort();
  return [...scored, ...missing];
}

export interface Rankings {
  /** Mean of the 1-based rank over tasks. */
  readonly meanRank: Record<string, number>;
  readonly borda: Record<string, number>;
}

export function rankings(tasks: readonly TaskScores[], methods: readonly string[]): Rankings {
  const meanRank: Record<string, number> = Object.fromEntries(methods.map((method) => [method, 0]));
  const borda: Record<string, number> = Object.fromEntries(methods.map((method) => [method, 0]));
  for (const task of tasks) {
    rankTask(task, methods).forEach((method, index) => {
      meanRank[method]! += (index + 1) / tasks.length;
      borda[method]! += methods.length - index;
    });
  }
  return { meanRank, borda };
}
