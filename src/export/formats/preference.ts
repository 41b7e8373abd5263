/**
 * `preference`: DPO pairs (TRL DPOTrainer: `prompt`, `chosen`, `rejected` as conversations) of episodes ranked by
 * held-out score, each episode in at most one pair. `kto`: unpaired labels (TRL KTOTrainer: `prompt`, `completion`,
 * `label`). Streaming: only episodes waiting for their partner are held.
 */

import type { EpisodeRecord } from '../../store/index.js';
import { column } from '../columns.js';
import { finalImprovement } from '../rewards.js';
import { byScore, type EpisodeSummary, groupBy } from '../summary.js';
import type { FormatOptions, RowFormat } from './format.js';
import { exportMessages, MESSAGES_TYPE, splitPrompt } from './messages.js';
import { episodeFields } from './sft.js';

interface Pair {
  readonly chosen: EpisodeSummary;
  readonly rejected: EpisodeSummary;
  chosenRecord?: EpisodeRecord;
  rejectedRecord?: EpisodeRecord;
}

/**
 * Episodes of one task and seed group (or one task) ranked by held-out score; the i-th best is paired with the i-th
 * worst when it scores strictly better (by more than `minMargin`), so each episode is in at most one pair.
 */
export function preferencePairs(summaries: readonly EpisodeSummary[], options: FormatOptions = {}): Pair[] {
  const key = (summary: EpisodeSummary) => (options.pairBy === 'task' ? summary.taskId : `${summary.taskId}\0${summary.seed ?? ''}`);
  const margin = options.minMargin ?? 0;
  const pairs: Pair[] = [];
  for (const group of groupBy(summaries, key).values()) {
    const ranked = group.filter((summary) => summary.score !== undefined).sort(byScore);
    for (let i = 0; i < Math.floor(ranked.length / 2); i++) {
      const chosen = ranked[i]!;
      const rejected = ranked[ranked.length - 1 - i]!;
      const gap = (chosen.direction === 'maximize' ? 1 : -1) * (chosen.score! - rejected.score!);
      if (gap > margin) pairs.push({ chosen, rejected });
    }
  }
  return pairs;
}

/** A pair is written once both its episodes have streamed past; only episodes awaiting their partner are held. */
export function preferenceFormat(options: FormatOptions = {}): RowFormat {
  const waiting = new Map<string, Pair>();
  return {
    name: 'preference',
    description:
      'one row per pair of episodes of the same task and seed group ranked by held-out score: `prompt`, `chosen`, `rejected` (conversations); TRL DPOTrainer, OpenRLHF --chosen_key/--rejected_key',
    columns: [
      column('task_id', 'string'),
      column('seed', 'int64', true),
      column('prompt', MESSAGES_TYPE),
      column('chosen', MESSAGES_TYPE),
      column('rejected', MESSAGES_TYPE),
      column('chosen_episode_id', 'string'),
      column('rejected_episode_id', 'string'),
      column('chosen_score', 'double'),
      column('rejected_score', 'double'),
    ],
    wantsSummaries: true,
    begin(summaries) {
      for (const pair of preferencePairs(summaries, options)) {
        waiting.set(pair.chosen.episodeId, pair);
        waiting.set(pair.rejected.episodeId, pair);
      }
    },
    *rows(record) {
      const pair = waiting.get(record.episodeId);
      if (!pair) return;
      waiting.delete(record.episodeId);
      if (pair.chosen.episodeId === record.episodeId) pair.chosenRecord = record;
      else pair.rejectedRecord = record;
      if (!pair.chosenRecord || !pair.rejectedRecord) return;
      const chosen = splitPrompt(pair.chosenRecord.messages);
      yield {
        task_id: pair.chosen.taskId,
        seed: pair.chosen.seed ?? null,
        prompt: exportMessages(chosen.prompt),
        chosen: exportMessages(chosen.completion),
        rejected: exportMessages(splitPrompt(pair.rejectedRecord.messages).completion),
        chosen_episode_id: pair.chosen.episodeId,
        rejected_episode_id: pair.rejected.episodeId,
        chosen_score: pair.chosen.score!,
        rejected_score: pair.rejected.score!,
      };
    },
  };
}

/** label = the held-out score beat the baseline (normalised improvement > 0). */
export function ktoFormat(): RowFormat {
  return {
    name: 'kto',
    description: 'one row per episode: `prompt`, `completion` (conversations) and `label` (true when the held-out score beat the baseline); TRL KTOTrainer',
    columns: [
      column('episode_id', 'string'),
      column('task_id', 'string'),
      column('model', 'string'),
      column('seed', 'int64', true),
      column('score', 'double', true),
      column('improvement', 'double', true),
      column('prompt', MESSAGES_TYPE),
      column('completion', MESSAGES_TYPE),
      column('label', 'bool'),
    ],
    *rows(record) {
      const { prompt, completion } = splitPrompt(record.messages);
      const { episode_id, task_id, model, seed, score } = episodeFields(record);
      const improvement = finalImprovement(record);
      yield {
        episode_id,
        task_id,
        model,
        seed,
        score,
        improvement: improvement ?? null,
        prompt: exportMessages(prompt),
        completion: exportMessages(completion),
        label: improvement !== undefined && improvement > 0,
      };
    },
  };
}
