/**
 * `transitions`: one row per step for offline RL: the context the agent saw (`state`, the messages before its
 * response), the `action` it took (its raw response, and the parsed command), the `reward` (rewards.ts), the
 * `next_observation`, `done`, and the return-to-go. Exit pseudo-steps (no model output) see the whole context.
 */

import type { EpisodeRecord } from '../../store/index.js';
import { column } from '../columns.js';
import { returnsToGo, stepRewards } from '../rewards.js';
import type { FormatOptions, RowFormat } from './format.js';
import { exportMessages, MESSAGES_TYPE } from './messages.js';

/** For each step, the index of the assistant message that holds its response (-1 for a step without one). */
export function responseMessageIndexes(record: EpisodeRecord): number[] {
  let cursor = 0;
  return record.steps.map((step) => {
    if (step.response === '' && !step.toolCalls?.length) return -1;
    let found = record.messages.findIndex((message, i) => i >= cursor && message.role === 'assistant' && (message.content ?? '') === step.response);
    if (found < 0) found = record.messages.findIndex((message, i) => i >= cursor && message.role === 'assistant');
    if (found >= 0) cursor = found + 1;
    return found;
  });
}

export function transitionsFormat(options: FormatOptions = {}): RowFormat {
  return {
    name: 'transitions',
    description:
      'one row per step: `state` (the messages the agent saw), `action`/`response`, `reward` (validate deltas of normalised improvement, final held-out improvement, shaping), `next_observation`, `done`, `return_to_go`; offline RL',
    columns: [
      column('episode_id', 'string'),
      column('task_id', 'string'),
      column('model', 'string'),
      column('step_index', 'int64'),
      column('state', MESSAGES_TYPE),
      column('response', 'string'),
      column('action', 'string'),
      column('reward', 'double'),
      column('next_observation', 'string'),
      column('terminated', 'bool'),
      column('truncated', 'bool'),
      column('done', 'bool'),
      column('return_to_go', 'double'),
    ],
    *rows(record) {
      const rewards = stepRewards(record, options.shaping);
      const toGo = returnsToGo(rewards, options.shaping?.gamma ?? 1);
      const indexes = responseMessageIndexes(record);
      let seen = 0;
      for (const [i, step] of record.steps.entries()) {
        const at = indexes[i]!;
        const contextEnd = at >= 0 ? at : Math.max(seen, record.messages.length);
        if (at >= 0) seen = at + 1;
        yield {
          episode_id: record.episodeId,
          task_id: record.task.id,
          model: record.model.name,
          step_index: step.index,
          state: exportMessages(record.messages.slice(0, contextEnd)),
          response: step.response,
          action: step.action,
          reward: rewards[i]!,
          next_observation: step.observation,
          terminated: step.terminated,
          truncated: step.truncated,
          done: i === record.steps.length - 1,
          return_to_go: toGo[i]!,
        };
      }
    },
  };
}
