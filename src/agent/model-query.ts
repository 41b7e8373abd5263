/**
 * One turn's model query: ask for the next action, re-query with the format-error template on an output without
 * exactly one action, and count every call's tokens, cost and retries.
 */

import {
  type CompletionResult,
  type CostBudget,
  exitActionFor,
  ModelCallError,
  type ModelClient,
  type ModelExitAction,
  type ToolDefinition,
} from '../models/index.js';
import type { ChatMessage, ModelCallRecord, RequeryRecord, ResponseFormat } from '../store/index.js';
import { FormatError } from './format-error.js';
import type { HistoryProcessor } from './history-processors.js';
import { type ParsedResponse, parseResponse } from './parsing.js';
import { type AgentTemplates, renderTemplate } from './templates.js';

/** What a query ended in: an action to run, or an exit action (the model failed or kept breaking the format). */
export type QueryOutcome =
  | {
      readonly kind: 'action';
      readonly parsed: ParsedResponse;
      readonly content: string;
      readonly toolCalls?: ChatMessage['toolCalls'];
      readonly call: ModelCallRecord;
      readonly requeries: RequeryRecord[];
    }
  | {
      readonly kind: 'exit';
      readonly action: ModelExitAction | 'exit_format';
      readonly response: string;
      readonly requeries: RequeryRecord[];
      readonly call?: ModelCallRecord;
      readonly error?: string;
    };

/** The model's side of an episode: who to ask, how to read the answer, and what it may spend. */
export interface QueryContext {
  readonly client: ModelClient;
  readonly format: ResponseFormat;
  readonly processHistory: HistoryProcessor;
  readonly tools?: ToolDefinition[];
  readonly budgets: CostBudget[];
  readonly maxRequeries: number;
  readonly templates: AgentTemplates;
  readonly usage: UsageCounter;
}

/** Token, cost and time totals of an episode's model calls. */
export class UsageCounter {
  promptTokens = 0;
  completionTokens = 0;
  calls = 0;
  retries = 0;
  costUsd = 0;
  usageEstimated = false;
  /** Time spent waiting for the model. @unit ms */
  modelMs = 0;

  count(call: ModelCallRecord): void {
    this.calls += 1;
    this.retries += call.attempts - 1;
    this.promptTokens += call.promptTokens;
    this.completionTokens += call.completionTokens;
    this.costUsd += call.costUsd;
    this.usageEstimated ||= call.usageEstimated;
    this.modelMs += call.latencyMs;
  }

  /** The record's usage fields (GPU-seconds aside). */
  totals() {
    const { promptTokens, completionTokens, calls, retries, costUsd, usageEstimated } = this;
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, calls, retries, costUsd, usageEstimated };
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Ask for the next action; re-query with the format-error template, keeping the failed tries in the conversation sent. */
export async function queryModel(context: QueryContext, messages: readonly ChatMessage[]): Promise<QueryOutcome> {
  const requeries: RequeryRecord[] = [];
  const tries: ChatMessage[] = [];
  for (let attempt = 0; ; attempt++) {
    let result: CompletionResult;
    try {
      result = await context.client.complete({ messages: context.processHistory([...messages, ...tries]), tools: context.tools, budgets: context.budgets });
    } catch (caught) {
      const call = caught instanceof ModelCallError ? caught.call : undefined;
      if (call) context.usage.count(call);
      return { kind: 'exit', action: exitActionFor(caught), response: '', requeries, call, error: errorText(caught) };
    }
    context.usage.count(result.call);
    try {
      const parsed = parseResponse(context.format, result.content, result.toolCalls);
      return { kind: 'action', parsed, content: result.content, toolCalls: result.toolCalls, call: result.call, requeries };
    } catch (caught) {
      if (!(caught instanceof FormatError)) throw caught;
      if (attempt === context.maxRequeries)
        return { kind: 'exit', action: 'exit_format', response: result.content, requeries, call: result.call, error: caught.message };
      requeries.push({
        response: result.content,
        ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
        formatError: caught.message,
        call: result.call,
      });
      tries.push(...formatErrorReplies(result.content, result.toolCalls, renderTemplate(context.templates.formatError, {})));
    }
  }
}

/** The failed output and the format-error reply; every tool call must be answered before the conversation goes on (OpenAI's rule). */
function formatErrorReplies(content: string, toolCalls: ChatMessage['toolCalls'], formatError: string): ChatMessage[] {
  const replies: ChatMessage[] = [{ role: 'assistant', content, ...(toolCalls ? { toolCalls } : {}) }];
  if (toolCalls?.length) for (const call of toolCalls) replies.push({ role: 'tool', toolCallId: call.id, content: formatError });
  else replies.push({ role: 'user', content: formatError });
  return replies;
}
