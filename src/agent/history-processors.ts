/**
 * History processors (reference §2.6): what of the conversation is sent to the model. The stored history is
 * never changed. Observations are the user and tool messages after the first (the task prompt).
 */

import type { ChatMessage } from '../store/index.js';

export type HistoryProcessor = (messages: readonly ChatMessage[]) => ChatMessage[];

export type HistoryProcessorSpec =
  | { readonly type: 'last_n_observations'; readonly n: number }
  | { readonly type: 'closed_window' }
  | { readonly type: 'identity' };

export const DEFAULT_HISTORY_PROCESSOR: HistoryProcessorSpec = { type: 'last_n_observations', n: 5 };

const isObservation = (message: ChatMessage) => message.role === 'user' || message.role === 'tool';

/** Python's len(text.splitlines()). */
function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\r?\n$/, '').split(/\r?\n/).length;
}

/** MLGym's LastNObservations: keep the task prompt and the last n observations; older ones become one line. */
export function lastNObservations(n: number): HistoryProcessor {
  return (messages) => {
    const total = messages.filter(isObservation).length;
    let index = 0;
    return messages.map((message) => {
      if (!isObservation(message)) return message;
      index += 1;
      if (index === 1 || index > total - n) return message;
      return { ...message, content: `Old output omitted (${lineCount(message.content ?? '')} lines)` };
    });
  };
}

const FILE_HEADER = /\[File:\s+(.*)\s+\(\d+\s+lines total\)\]/;
const WINDOW_LINE = /^\d+:.*(?:\n|$)/gm;

/**
 * MLGym's ClosedWindow: only the newest view of each file stays; older views of the same file shrink to
 * `Outdated window with N lines omitted...`. (Unlike SWE-agent's version, a message with numbered lines but no
 * file header is kept as it is, not dropped.)
 */
export const closedWindow: HistoryProcessor = (messages) => {
  const seen = new Set<string>();
  const result = [...messages];
  for (let i = result.length - 1; i >= 0; i--) {
    const message = result[i]!;
    if (!isObservation(message) || !message.content) continue;
    const file = message.content.match(FILE_HEADER)?.[1];
    const lines = [...message.content.matchAll(WINDOW_LINE)];
    if (!file || lines.length === 0) continue;
    if (seen.has(file)) {
      const start = lines[0]!.index;
      const last = lines.at(-1)!;
      const end = last.index + last[0].length;
      result[i] = {
        ...message,
        content: `${message.content.slice(0, start)}Outdated window with ${lines.length} lines omitted...\n${message.content.slice(end)}`,
      };
    }
    seen.add(file);
  }
  return result;
};

export const identity: HistoryProcessor = (messages) => [...messages];

export function historyProcessor(spec: HistoryProcessorSpec): HistoryProcessor {
  switch (spec.type) {
    case 'last_n_observations':
      return lastNObservations(spec.n);
    case 'closed_window':
      return closedWindow;
    case 'identity':
      return identity;
  }
}

/** How the processor is named in episode records: last_n_observations(5), closed_window, identity. */
export function describeHistoryProcessor(spec: HistoryProcessorSpec): string {
  return spec.type === 'last_n_observations' ? `last_n_observations(${spec.n})` : spec.type;
}
