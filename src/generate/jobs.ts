/** Episode jobs: the (task, model, seed, attempt) values a spec expands to, each with its stable episode id. */

import type { HistoryProcessorSpec } from '../agent/index.js';
import { type GenerationSpec, seedList } from '../config/generation-spec.js';
import { InvalidArgumentError } from '../errors.js';
import { type EpisodeJob, episodeIdOf } from '../store/index.js';

export type Job = EpisodeJob & { readonly episodeId: string };

export function expandJobs(spec: GenerationSpec, specHash: string): Job[] {
  const jobs: Job[] = [];
  for (const task of spec.tasks)
    for (const model of spec.models)
      for (const seed of seedList(spec))
        for (let attempt = 0; attempt < spec.attempts; attempt++) {
          const job = { task, model: model.name, seed, attempt, specHash };
          jobs.push({ ...job, episodeId: episodeIdOf(job) });
        }
  return jobs;
}

/** A history processor by its name in specs and flags: last<N>, closed_window or identity. */
export function parseHistoryProcessor(text: string): HistoryProcessorSpec {
  if (text === 'identity' || text === 'closed_window') return { type: text };
  const lastN = /^last([1-9]\d*)$/.exec(text);
  if (lastN) return { type: 'last_n_observations', n: Number(lastN[1]) };
  throw new InvalidArgumentError(`history: expected last<N> (e.g. last5), closed_window or identity, got ${JSON.stringify(text)}`);
}

/** A short human label of a job, for progress lines. */
export function jobLabel(job: Job): string {
  return `${job.task} seed ${job.seed} attempt ${job.attempt} (${job.model})`;
}
