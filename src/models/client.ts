/**
 * The model client: one small class over the `openai` package for any OpenAI-compatible endpoint. The SDK retries (a
 * fetch wrapper counts the attempts); budgets and the context window are checked before each call. The API key is read
 * from the environment, kept inside the SDK client, and redacted from every error message.
 */

import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatMessage, ModelCallRecord, ToolCall } from '../store/index.js';
import { type CostBudget, reserveAll } from './budget.js';
import { ContextWindowExceededError, isEndpointUnreachable, ModelCallError } from './errors.js';
import { costUsd, estimatePromptTokens, estimateTextTokens, type Pricing } from './usage.js';

export interface Sampling {
  readonly temperature?: number;
  readonly topP?: number;
  /** Most tokens in one answer. Budgets reserve this much output per call (4096 when unset). */
  readonly maxTokens?: number;
  readonly seed?: number;
}

export interface ModelClientOptions {
  /** The endpoint, e.g. http://127.0.0.1:8000/v1. */
  readonly baseUrl: string;
  readonly model: string;
  /** Environment variable holding the API key; local endpoints need none. @default 'OPENAI_API_KEY' */
  readonly apiKeyEnv?: string;
  readonly sampling?: Sampling;
  /** Per HTTP attempt. @unit ms @default 120000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (429, 5xx, timeouts, connection errors). @default 4 */
  readonly maxRetries?: number;
  /** Prices of this model; without them cost is 0 and budgets never bind. */
  readonly pricing?: Pricing;
  /** The model's context window; the prompt plus maxTokens must fit. @unit tokens @default no check */
  readonly contextWindowTokens?: number;
}

/** A tool the model may call (native tool-calling mode); `parameters` is a JSON Schema. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

export interface CompletionParams {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  /** Budgets that must all have room for this call's worst-case cost. */
  readonly budgets?: readonly CostBudget[];
}

export interface CompletionResult {
  readonly content: string;
  readonly toolCalls?: ToolCall[];
  readonly call: ModelCallRecord;
}

/** Output tokens a budget reserves for a call without max_tokens. */
const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;
/** Internal header tying each HTTP attempt to its call; removed before the request leaves. */
const CALL_HEADER = 'x-labgym-call';

export function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content ?? '' };
    case 'user':
      return { role: 'user', content: message.content ?? '' };
    case 'tool':
      return { role: 'tool', content: message.content ?? '', tool_call_id: message.toolCallId ?? '' };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
  }
}

function finishReasonOf(raw: string | undefined): ModelCallRecord['finishReason'] {
  if (raw === undefined) return undefined;
  if (raw === 'stop' || raw === 'length' || raw === 'tool_calls' || raw === 'content_filter') return raw;
  return raw === 'function_call' ? 'tool_calls' : 'other';
}

/**
 * A client for one OpenAI-compatible endpoint (vLLM, SGLang, Ollama, hosted APIs, labgym's policy server). Retries are
 * the SDK's (429 honouring Retry-After, 5xx, timeouts, connection errors; jittered exponential back-off), and the
 * counted attempts show in usage.
 */
export class ModelClient {
  readonly options: Readonly<Required<Pick<ModelClientOptions, 'timeoutMs' | 'maxRetries' | 'apiKeyEnv'>>> & ModelClientOptions;
  private readonly sdk: OpenAI;
  private readonly apiKey: string | undefined;
  private readonly attempts = new Map<string, number>();

  constructor(options: ModelClientOptions) {
    this.options = { timeoutMs: 120_000, maxRetries: 4, apiKeyEnv: 'OPENAI_API_KEY', ...options };
    this.apiKey = process.env[this.options.apiKeyEnv] || undefined;
    this.sdk = new OpenAI({
      baseURL: options.baseUrl,
      // Local endpoints need no key, but the SDK insists on one.
      apiKey: this.apiKey ?? 'no-key',
      timeout: this.options.timeoutMs,
      maxRetries: this.options.maxRetries,
      fetch: (url, init) => this.countedFetch(url, init),
    });
  }

  /** A copy with some options changed (sampling, timeouts, model). */
  withOptions(options: Partial<ModelClientOptions>): ModelClient {
    return new ModelClient({ ...this.options, ...options });
  }

  /**
   * One chat completion. Before it: the context pre-check and the budget reservation. Throws
   * ContextWindowExceededError, CostLimitExceededError, or ModelCallError once the retries are spent.
   */
  async complete(params: CompletionParams): Promise<CompletionResult> {
    const { sampling = {}, pricing, contextWindowTokens } = this.options;
    const tools: ChatCompletionTool[] | undefined = params.tools?.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
    const promptEstimate = estimatePromptTokens(params.messages, tools ? JSON.stringify(tools) : '');
    if (contextWindowTokens !== undefined && promptEstimate + (sampling.maxTokens ?? 0) > contextWindowTokens) {
      throw new ContextWindowExceededError(promptEstimate + (sampling.maxTokens ?? 0), contextWindowTokens);
    }
    const worstCase = costUsd(pricing, promptEstimate, sampling.maxTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS);
    const settle = reserveAll(params.budgets ?? [], worstCase);

    const callId = randomUUID();
    this.attempts.set(callId, 0);
    const started = performance.now();
    let response: ChatCompletion;
    let attempts = 1;
    try {
      response = await this.sdk.chat.completions.create(
        {
          model: this.options.model,
          messages: params.messages.map(toWireMessage),
          ...(tools ? { tools } : {}),
          ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
          ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
          ...(sampling.maxTokens !== undefined ? { max_tokens: sampling.maxTokens } : {}),
          ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
        },
        { headers: { [CALL_HEADER]: callId } },
      );
      attempts = Math.max(1, this.attempts.get(callId) ?? 1);
    } catch (error) {
      settle(0);
      const call: ModelCallRecord = {
        latencyMs: performance.now() - started,
        promptTokens: 0,
        completionTokens: 0,
        usageEstimated: false,
        attempts: Math.max(1, this.attempts.get(callId) ?? 1),
        costUsd: 0,
        error: this.redact(`${(error as Error).name}: ${(error as Error).message}`),
        ...(isEndpointUnreachable(error) ? { unreachable: true } : {}),
      };
      throw new ModelCallError(`model call failed after ${call.attempts} attempt(s): ${call.error}`, call, { cause: error });
    } finally {
      this.attempts.delete(callId);
    }
    const latencyMs = performance.now() - started;
    const choice = response.choices?.[0];
    const content = choice?.message?.content ?? '';
    const toolCalls = choice?.message?.tool_calls
      ?.filter((call) => call.type === 'function')
      .map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
    const reported = response.usage;
    const usageEstimated = !reported;
    const promptTokens = reported?.prompt_tokens ?? promptEstimate;
    const completionTokens =
      reported?.completion_tokens ?? estimateTextTokens(content) + (toolCalls ?? []).reduce((sum, call) => sum + estimateTextTokens(call.arguments), 0);
    const cost = costUsd(pricing, promptTokens, completionTokens);
    settle(cost);
    return {
      content,
      ...(toolCalls?.length ? { toolCalls } : {}),
      call: {
        latencyMs,
        promptTokens,
        completionTokens,
        usageEstimated,
        attempts,
        costUsd: cost,
        finishReason: finishReasonOf(choice?.finish_reason ?? undefined),
        ...(choice?.finish_reason ? { rawFinishReason: String(choice.finish_reason) } : {}),
      },
    };
  }

  private countedFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    const callId = headers.get(CALL_HEADER);
    if (callId !== null) {
      headers.delete(CALL_HEADER);
      this.attempts.set(callId, (this.attempts.get(callId) ?? 0) + 1);
    }
    return fetch(url, { ...init, headers });
  }

  private redact(text: string): string {
    return this.apiKey ? text.replaceAll(this.apiKey, '[redacted]') : text;
  }
}
