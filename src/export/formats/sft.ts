/** `sft`: one conversation per episode as `messages` (role, content, tool_calls, tool_call_id) with `tools` (TRL SFTTrainer, verl multi-turn SFT). */

import type { EpisodeRecord } from '../../store/index.js';
import { column } from '../columns.js';
import { finalImprovement } from '../rewards.js';
import type { FormatOptions, RowFormat } from './format.js';
import { EPISODE_COLUMNS, exportMessages, MESSAGES_TYPE, toolsOf } from './messages.js';

export function episodeFields(record: EpisodeRecord) {
  return {
    episode_id: record.episodeId,
    task_id: record.task.id,
    model: record.model.name,
    seed: record.seed ?? null,
    score: record.scores.final?.score ?? null,
    improvement: finalImprovement(record) ?? null,
    exit_status: record.exitStatus,
  };
}

export function sftFormat(options: FormatOptions = {}): RowFormat {
  return {
    name: 'sft',
    description:
      'one row per episode: `messages` (list<struct<role, content, tool_calls, tool_call_id>>) and `tools` (JSON text of the tool schemas, null for fenced-command episodes); TRL SFTTrainer, verl multi-turn SFT',
    columns: [...EPISODE_COLUMNS, column('messages', MESSAGES_TYPE), column('tools', 'json', true)],
    *rows(record) {
      yield { ...episodeFields(record), messages: exportMessages(record.messages), tools: toolsOf(record, options.tools) };
    },
  };
}
