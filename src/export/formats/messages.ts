/** Episode messages in the OpenAI / TRL chat shape that the exports write, and the prompt/completion split. */

import type { ChatMessage, EpisodeRecord } from '../../store/index.js';
import { type Column, column, list, MESSAGE_TYPE } from '../columns.js';
import type { ToolSchema } from './format.js';

export interface ExportMessage {
  readonly role: string;
  readonly content: string | null;
  readonly tool_calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] | null;
  readonly tool_call_id: string | null;
}

export const MESSAGES_TYPE = list(MESSAGE_TYPE);

export function exportMessage(message: ChatMessage): ExportMessage {
  return {
    role: message.role,
    content: message.content,
    tool_calls: message.toolCalls?.length
      ? message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }))
      : null,
    tool_call_id: message.toolCallId ?? null,
  };
}

export function exportMessages(messages: readonly ChatMessage[]): ExportMessage[] {
  return messages.map(exportMessage);
}

/** Messages before the first assistant turn (system prompt and task), and the rest. */
export function splitPrompt(messages: readonly ChatMessage[]): { prompt: ChatMessage[]; completion: ChatMessage[] } {
  const first = messages.findIndex((message) => message.role === 'assistant');
  const at = first < 0 ? messages.length : first;
  return { prompt: messages.slice(0, at), completion: messages.slice(at) };
}

/** The tool schemas of an episode that used native tool calling; null otherwise. */
export function toolsOf(record: EpisodeRecord, tools: readonly ToolSchema[] | undefined): readonly ToolSchema[] | null {
  return record.agent.responseFormat === 'tools' && tools?.length ? tools : null;
}

/** Columns most formats carry, so rows can be traced back and filtered again downstream. */
export const EPISODE_COLUMNS: Column[] = [
  column('episode_id', 'string'),
  column('task_id', 'string'),
  column('model', 'string'),
  column('seed', 'int64', true),
  column('score', 'double', true),
  column('improvement', 'double', true),
  column('exit_status', 'string'),
];
