/** What the dataset card says about where rows came from: tasks with their hashes, models with their settings. */

import { type BestAttemptRule, episodeScoresOf } from '../metrics/index.js';
import type { EpisodeRecord } from '../store/index.js';

export interface TaskProvenance {
  episodes: number;
  readonly contentHashes: Set<string>;
  readonly evaluatorHashes: Set<string>;
}

export interface ModelProvenance {
  episodes: number;
  readonly settings: Set<string>;
}

export class Provenance {
  readonly tasks = new Map<string, TaskProvenance>();
  readonly models = new Map<string, ModelProvenance>();
  readonly sources = new Set<string>();
  /** Episodes by the Best Attempt definition `labgym score` applies to them by default. */
  readonly bestAttempt: Record<BestAttemptRule, number> = { 'validation-selected': 0, mlgym: 0 };
  episodes = 0;

  add(record: EpisodeRecord): void {
    this.episodes++;
    this.sources.add(record.source);
    this.bestAttempt[episodeScoresOf(record).splitAware ? 'validation-selected' : 'mlgym']++;
    let task = this.tasks.get(record.task.id);
    if (!task) this.tasks.set(record.task.id, (task = { episodes: 0, contentHashes: new Set(), evaluatorHashes: new Set() }));
    task.episodes++;
    if (record.task.contentHash) task.contentHashes.add(record.task.contentHash);
    for (const hash of record.integrity.evaluatorHashes) task.evaluatorHashes.add(hash);
    let model = this.models.get(record.model.name);
    if (!model) this.models.set(record.model.name, (model = { episodes: 0, settings: new Set() }));
    model.episodes++;
    const { sampling, baseUrl } = record.model;
    model.settings.add(
      JSON.stringify({
        ...sampling,
        ...(baseUrl ? { baseUrl } : {}),
        responseFormat: record.agent.responseFormat,
        historyProcessor: record.agent.historyProcessor,
      }),
    );
  }

  toJSON() {
    const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
    return {
      episodes: this.episodes,
      sources: [...this.sources].sort(),
      bestAttempt: { ...this.bestAttempt },
      tasks: sorted(this.tasks).map(([id, task]) => ({
        id,
        episodes: task.episodes,
        contentHashes: [...task.contentHashes].sort(),
        evaluatorHashes: [...task.evaluatorHashes].sort(),
      })),
      models: sorted(this.models).map(([name, model]) => ({
        name,
        episodes: model.episodes,
        settings: [...model.settings].sort().map((text) => JSON.parse(text) as Record<string, unknown>),
      })),
    };
  }
}
