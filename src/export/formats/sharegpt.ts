/**
 * `sharegpt`: LLaMA-Factory's sharegpt shape (`conversations` of {from, value} tagged human / gpt / function_call /
 * observation, `system`, `tools`) plus a dataset_info.json entry. A tool-call turn becomes a function_call of the
 * call as JSON ({name, arguments}); its accompanying text, if any, is dropped (LLaMA-Factory has no slot).
 */

import type { ChatMessage } from '../../store/index.js';
import { column, list, struct } from '../columns.js';
import type { FormatOptions, RowFormat } from './format.js';
import { EPISODE_COLUMNS, toolsOf } from './messages.js';
import { episodeFields } from './sft.js';

export interface ShareGptTurn {
  readonly from: 'human' | 'gpt' | 'function_call' | 'observation';
  readonly value: string;
}

function turn(message: ChatMessage): ShareGptTurn {
  if (message.role === 'assistant' && message.toolCalls?.length) {
    const calls = message.toolCalls.map((call) => ({ name: call.name, arguments: parseArguments(call.arguments) }));
    return { from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) };
  }
  const from = message.role === 'assistant' ? 'gpt' : message.role === 'tool' ? 'observation' : 'human';
  return { from, value: message.content ?? '' };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // the model wrote invalid JSON: keep its text
  }
}

export function shareGptConversation(messages: readonly ChatMessage[]): { system: string; conversations: ShareGptTurn[] } {
  const system = messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content ?? '')
    .join('\n\n');
  return { system, conversations: messages.filter((message) => message.role !== 'system').map(turn) };
}

export function shareGptFormat(options: FormatOptions = {}): RowFormat {
  return {
    name: 'sharegpt',
    description:
      'one row per episode: `conversations` (list<struct<from, value>>; human, gpt, function_call, observation), `system`, `tools`; LLaMA-Factory (dataset_info.json included)',
    columns: [
      ...EPISODE_COLUMNS,
      column('system', 'string'),
      column('conversations', list(struct(column('from', 'string'), column('value', 'string')))),
      column('tools', 'json', true),
    ],
    *rows(record) {
      yield { ...episodeFields(record), ...shareGptConversation(record.messages), tools: toolsOf(record, options.tools) };
    },
  };
}

/** LLaMA-Factory's dataset_info.json entry for a sharegpt export in the Hugging Face layout. */
export function datasetInfo(name: string, files: readonly string[]): Record<string, unknown> {
  return {
    [name]: {
      file_name: files.length === 1 ? files[0] : 'data',
      formatting: 'sharegpt',
      columns: { messages: 'conversations', system: 'system', tools: 'tools' },
      tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', observation_tag: 'observation', function_tag: 'function_call' },
    },
  };
}
