/**
 * Performance profiles and AUP (area under the performance profile) as MLGym computes them
 * (scripts/evaluation/get_ranks.py; reference_mlgym.md §5.3), plus a fixed-τ_max variant so runs scored
 * separately stay comparable.
 */

export type Direction = 'maximize' | 'minimize';

export interface TaskScores {
  readonly task: string;
  readonly direction: Direction;
  readonly baseline: number;
  /** Score per method; undefined or NaN when the method has no valid run on this task. */
  readonly scores: Readonly<Record<string, number | undefined>>;
}

export const EPSILON = 0.05;
export const GRID_POINTS = 500;

function isFeasible(score: number | undefined, baseline: number, direction: Direction): score is number {
  if (score === undefined || !Number.isFinite(score) || score < 0) return false;
  return direction === 'maximize' ? score >= baseline : score <= baseline;
}

export interface TaskRatios {
  readonly task: string;
  /** best/worst over the feasible scores (1 when fewer than two are feasible). */
  readonly rMax: number;
  /** Performance ratio per method (≥ 1); infeasible methods get (1+ε)·r_max. */
  readonly ratios: Readonly<Record<string, number>>;
}

/**
 * Performance ratios of one task; the baseline takes part as the method "baseline". Infeasible scores (negative, worse
 * than the baseline, missing) get (1+ε)·r_max; feasible ones get best/s (maximise) or s/best (minimise), with best and
 * r_max taken over the feasible scores.
 */
export function taskRatios(task: TaskScores, methods: readonly string[]): TaskRatios {
  const all: Record<string, number | undefined> = { ...task.scores, baseline: task.baseline };
  const feasible = methods.filter((method) => isFeasible(all[method], task.baseline, task.direction));
  const values = feasible.map((method) => all[method]!);
  const ratioOf = (score: number, best: number) => (task.direction === 'maximize' ? best / score : score / best);
  let rMax = 1;
  const ratios: Record<string, number> = {};
  if (values.length) {
    const best = task.direction === 'maximize' ? Math.max(...values) : Math.min(...values);
    const worst = task.direction === 'maximize' ? Math.min(...values) : Math.max(...values);
    // A zero among the feasible scores makes a ratio infinite; such a method counts as infeasible.
    const finite = feasible.filter((method) => Number.isFinite(ratioOf(all[method]!, best)));
    rMax = Number.isFinite(ratioOf(worst, best)) ? ratioOf(worst, best) : Math.max(1, ...finite.map((method) => ratioOf(all[method]!, best)));
    for (const method of finite) ratios[method] = ratioOf(all[method]!, best);
  }
  for (const method of methods) ratios[method] ??= (1 + EPSILON) * rMax;
  return { task: task.task, rMax, ratios };
}

/** MLGym's data-dependent τ_max over one or more score tables (it uses the best-attempt and best-submission tables). */
export function dataTauMax(tables: ReadonlyArray<readonly TaskRatios[]>): number {
  const contributions = tables.flat().map((task) => Math.ceil((1 + EPSILON) * task.rMax));
  return Math.ceil(10 * Math.log10(Math.max(...contributions))) / 10;
}

/** The τ grid: `points` (MLGym: 500) evenly spaced values from 0 to τ_max. */
export function tauGrid(tauMax: number, points = GRID_POINTS): number[] {
  return Array.from({ length: points }, (_, i) => (tauMax * i) / (points - 1));
}

/** ρ_m(τ) on the grid: the share of tasks whose log10 ratio is at most τ. */
export function profile(tasks: readonly TaskRatios[], method: string, grid: readonly number[]): number[] {
  const logs = tasks.map((task) => Math.log10(task.ratios[method]!));
  return grid.map((tau) => logs.filter((value) => value <= tau).length / tasks.length);
}

/** Left Riemann sum of the profile over the grid, rounded to 3 decimals. */
export function areaUnderProfile(rho: readonly number[], grid: readonly number[]): number {
  let area = 0;
  for (let i = 0; i + 1 < grid.length; i++) area += (grid[i + 1]! - grid[i]!) * rho[i]!;
  return Math.round(area * 1000) / 1000;
}

export interface AupResult {
  readonly tauMax: number;
  readonly grid: number[];
  readonly methods: readonly string[];
  readonly profiles: Record<string, number[]>;
  readonly aup: Record<string, number>;
}

/**
 * AUP of every method (models plus "baseline") over a set of tasks. `tauMax` fixes the grid's end (comparable
 * across runs); without it τ_max comes from `tauMaxTables` (MLGym: the best-attempt and best-submission tables).
 */
export function computeAup(
  tasks: readonly TaskScores[],
  models: readonly string[],
  options: { readonly tauMax?: number; readonly tauMaxTables?: ReadonlyArray<readonly TaskScores[]> } = {},
): AupResult {
  const methods = [...models, 'baseline'];
  const ratios = tasks.map((task) => taskRatios(task, methods));
  const tauMax = options.tauMax ?? dataTauMax((options.tauMaxTables ?? [tasks]).map((table) => table.map((task) => taskRatios(task, methods))));
  const grid = tauGrid(tauMax);
  const profiles = Object.fromEntries(methods.map((method) => [method, profile(ratios, method, grid)]));
  const aup = Object.fromEntries(methods.map((method) => [method, areaUnderProfile(profiles[method]!, grid)]));
  return { tauMax, grid, methods, profiles, aup };
}
