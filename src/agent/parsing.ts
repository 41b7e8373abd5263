/**
 * Reading the action out of a model output, in the three response formats: MLGym's thought + fenced block
 * (reference §2.5), XML `<command>`, and native tool calls. A reply without exactly one action is a
 * FormatError, which the agent answers with a re-query. Pure functions.
 */

import type { ResponseFormat, ToolCall } from '../store/index.js';
import { FormatError } from './format-error.js';
import { actionFromToolCall } from './tools.js';

export interface ParsedResponse {
  /** Everything but the action (MLGym keeps the DISCUSSION header in it). */
  readonly thought: string;
  /** The command to run, exactly as written (MLGym keeps its trailing newline). */
  readonly action: string;
}

/**
 * A fence line, as MLGym's `^```(\S*)\s*\n|^```\s*$` (Python, MULTILINE) reads it. The first form's greedy
 * `\s*\n` runs on to the last newline of the blank run after the fence, so a fence swallows the blank lines
 * that follow it: a closing fence mid-text takes the `\n\n` before the next paragraph (the thought keeps only
 * the blank line before the block), an opening one the blank lines at the top of the action. The second form
 * (group 1 unset) is a bare fence at the very end with no newline after it; it can close a block but never
 * opens one. Python's `^` and `$` see only `\n` as a line end, where JavaScript's `m` flag also sees `\r`,
 * U+2028 and U+2029, so line starts are spelled `(?<![^\n])` and `$` is the end of the text.
 */
const FENCE = /(?<![^\n])```(\S*)\s*\n|(?<![^\n])```\s*$/g;

/**
 * MLGym's thought/action parser: the action is the last top-level fenced block; fences inside it (an edit
 * that writes Markdown) belong to it. More than one top-level block, none, or an empty one is a FormatError.
 * (MLGym also counts nested fences as extra blocks and rejects such edits; labgym keeps them.) Thought and
 * action are MLGym's byte for byte: the action runs from the end of the opening fence match to the start of
 * the closing one, and the thought is everything before the opening match and after the closing one.
 */
export function parseFencedResponse(output: string): ParsedResponse {
  const open: RegExpExecArray[] = [];
  const blocks: { start: RegExpExecArray; end: RegExpExecArray }[] = [];
  for (const fence of output.matchAll(FENCE)) {
    if (open.length && !fence[1]) {
      const start = open.pop()!;
      if (!open.length) blocks.push({ start, end: fence });
    } else if (fence[1] !== undefined) {
      open.push(fence);
    }
  }
  if (blocks.length === 0) throw new FormatError('no command block: expected one command in a fenced code block');
  if (blocks.length > 1) throw new FormatError(`${blocks.length} command blocks: expected exactly one`);
  const { start, end } = blocks[0]!;
  const action = output.slice(start.index + start[0].length, end.index);
  if (!action.trim()) throw new FormatError('the command block is empty');
  return { thought: output.slice(0, start.index) + output.slice(end.index + end[0].length), action };
}

/** `<command>...</command>`, exactly once. */
export function parseXmlResponse(output: string): ParsedResponse {
  const matches = [...output.matchAll(/<command>([\s\S]*?)<\/command>/g)];
  if (matches.length !== 1)
    throw new FormatError(matches.length ? `${matches.length} <command> blocks: expected exactly one` : 'no <command>...</command> block');
  const match = matches[0]!;
  const action = match[1]!.replace(/^\n/, '').replace(/\n$/, '');
  if (!action.trim()) throw new FormatError('the <command> block is empty');
  return { thought: output.slice(0, match.index) + output.slice(match.index + match[0].length), action };
}

/** Exactly one call of a known tool, with valid arguments. */
export function parseToolCallResponse(content: string, toolCalls: readonly ToolCall[] | undefined): ParsedResponse {
  if (!toolCalls?.length) throw new FormatError('no tool call: expected exactly one');
  if (toolCalls.length > 1) throw new FormatError(`${toolCalls.length} tool calls: expected exactly one`);
  return { thought: content, action: actionFromToolCall(toolCalls[0]!) };
}

export function parseResponse(format: ResponseFormat, content: string, toolCalls?: readonly ToolCall[]): ParsedResponse {
  switch (format) {
    case 'mlgym':
      return parseFencedResponse(content);
    case 'xml':
      return parseXmlResponse(content);
    case 'tools':
      return parseToolCallResponse(content, toolCalls);
  }
}
