/**
 * Why a model call did not happen or failed, and the one mapping from those errors to MLGym's exit actions
 * (exit_cost, exit_context, exit_api, exit_error), which the agent turns into an autosubmission.
 */

import { APIConnectionError, APIError } from 'openai';
import { LabgymError } from '../errors.js';
import type { ModelCallRecord } from '../store/index.js';

/** The next call could cost more than a budget has left; checked before the call, so nothing is overspent. */
export class CostLimitExceededError extends LabgymError {
  override readonly code = 'E_COST_LIMIT';
  constructor(
    readonly budget: string,
    readonly limitUsd: number,
    readonly spentUsd: number,
    readonly neededUsd: number,
  ) {
    super(`${budget} cost budget: $${spentUsd.toFixed(4)} spent of $${limitUsd}, the next call may cost up to $${neededUsd.toFixed(4)}`);
  }
}

/** The prompt (plus the tokens reserved for the answer) does not fit the model's context window. */
export class ContextWindowExceededError extends LabgymError {
  override readonly code = 'E_CONTEXT_WINDOW';
  constructor(
    readonly promptTokens: number,
    readonly contextWindowTokens: number,
  ) {
    super(`the prompt needs about ${promptTokens} tokens, more than the context window of ${contextWindowTokens}`);
  }
}

/** A request that failed after its retries; `call` holds its attempts and latency for the usage totals. */
export class ModelCallError extends LabgymError {
  override readonly code = 'E_MODEL_CALL';
  constructor(
    message: string,
    readonly call: ModelCallRecord,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ModelExitAction = 'exit_cost' | 'exit_context' | 'exit_api' | 'exit_error';

const CONTEXT_MESSAGE = /context[ _](length|window)|maximum context|too many tokens|prompt is too long/i;

/**
 * The endpoint did not serve: connection refused, DNS, a timeout, or 408/429/5xx once the retries were spent.
 * Unlike a 4xx (a bad model name, a bad key) such an exit_api says nothing about the agent, so a resume runs it again.
 */
export function isEndpointUnreachable(error: unknown): boolean {
  const cause = error instanceof ModelCallError ? error.cause : error;
  if (cause instanceof APIConnectionError) return true;
  return cause instanceof APIError && cause.status !== undefined && (cause.status === 408 || cause.status === 429 || cause.status >= 500);
}

/** The exit action for an error raised while asking the model for the next action. */
export function exitActionFor(error: unknown): ModelExitAction {
  if (error instanceof CostLimitExceededError) return 'exit_cost';
  if (error instanceof ContextWindowExceededError) return 'exit_context';
  const cause = error instanceof ModelCallError ? error.cause : error;
  if (cause instanceof APIError && !(cause instanceof APIConnectionError)) {
    const code = (cause as { code?: unknown }).code;
    if (cause.status === 400 && (code === 'context_length_exceeded' || CONTEXT_MESSAGE.test(cause.message))) return 'exit_context';
    return 'exit_api';
  }
  if (cause instanceof APIConnectionError) return 'exit_api';
  return 'exit_error';
}
