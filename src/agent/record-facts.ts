/** The parts of an episode record computed from how the episode ran: steps, the recorded endpoint, integrity. */

import type { StepResult } from '../env/index.js';
import type { StepRecord } from '../store/index.js';

/** What a step record holds beyond the env's result. */
export type StepFields = Pick<StepRecord, 'startedAt' | 'response' | 'toolCalls' | 'thought' | 'action' | 'modelCall' | 'requeries' | 'executionMs'>;

/** Strip credentials, query string and fragment from a base URL before it is recorded. */
export function recordableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A step record from what the loop knows and what the env returned. */
export function stepRecord(fields: StepFields, result: StepResult): StepRecord {
  const { info } = result;
  return {
    ...fields,
    index: info.step,
    observation: result.observation,
    reward: result.reward,
    terminated: result.terminated,
    truncated: result.truncated,
    state: info.state,
    ...(info.exitCode !== undefined ? { exitCode: info.exitCode } : {}),
    ...(info.timedOut !== undefined ? { timedOut: info.timedOut } : {}),
    ...(info.evaluation ? { evaluation: { ...info.evaluation } } : {}),
    ...(info.exitStatus !== undefined ? { exitStatus: info.exitStatus } : {}),
  };
}

/** Failures decided before any evaluation sandbox started (nothing ran, so nothing ran inside the agent's sandbox). */
const REFUSED_BEFORE_EVALUATION = new Set(['submission_not_found', 'submission_too_large']);

/**
 * No score came from the agent's sandbox: every evaluation that ran names an evaluation sandbox other than the
 * agent's (a submission that was missing or too large ran nowhere, so it does not count against this).
 */
export function evaluatedOutside(steps: readonly StepRecord[]): boolean {
  const ran = steps.flatMap((step) => (step.evaluation && !REFUSED_BEFORE_EVALUATION.has(step.evaluation.failure?.type ?? '') ? [step.evaluation] : []));
  const outside = (sandboxId: string | undefined, agentSandboxId: string | undefined) =>
    sandboxId !== undefined && agentSandboxId !== undefined && sandboxId !== agentSandboxId;
  return ran.every(
    (evaluation) =>
      outside(evaluation.evaluationSandboxId, evaluation.agentSandboxId) &&
      (evaluation.otherSplit?.score === undefined || outside(evaluation.otherSplit.evaluationSandboxId, evaluation.agentSandboxId)),
  );
}
