/**
 * The `mlgym` export: one MLGym run directory per episode (`<task>.traj` and `results.json`), named as MLGym's
 * run.py names them (reference_mlgym.md §6), so MLGym's own scripts can read labgym episodes.
 */

import { join } from 'node:path';
import { type EpisodeRecord, writeMlgymRun } from '../store/index.js';

const fixed = (value: number | undefined, fallback: number) => (value ?? fallback).toFixed(2);

/** `<model>__<task>__default__t-0.00__p-0.95__c-4.00__install-0_run_<i>` (":" in model names becomes "-"). */
export function mlgymRunDirName(record: EpisodeRecord, runIndex: number): string {
  const model = record.model.name.replaceAll(':', '-').replaceAll('/', '-');
  const { temperature, topP } = record.model.sampling;
  return `${model}__${record.task.id}__default__t-${fixed(temperature, 0)}__p-${fixed(topP, 1)}__c-${fixed(record.limits.episodeCostLimitUsd, 0)}__install-0_run_${runIndex}`;
}

export class MlgymRunWriter {
  private readonly runIndexes = new Map<string, number>();
  readonly dirs: string[] = [];

  constructor(private readonly root: string) {}

  async write(record: EpisodeRecord): Promise<void> {
    const key = `${record.model.name}\0${record.task.id}`;
    const index = this.runIndexes.get(key) ?? 0;
    this.runIndexes.set(key, index + 1);
    const name = mlgymRunDirName(record, index);
    await writeMlgymRun(record, join(this.root, name));
    this.dirs.push(name);
  }
}
