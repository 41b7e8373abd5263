/**
 * The Evaluator contract: score what the agent submitted, never inside the agent's sandbox.
 * An evaluation is a record (data), including when the submission is missing or the evaluator printed
 * no metrics; only a broken backend throws.
 */

import type { Sandbox } from '../sandbox/index.js';

/** validate: mid-episode check on the validation split; submit: the agent's final answer; auto: a limit ended the episode. */
export type EvaluationKind = 'validate' | 'submit' | 'auto';
export type MetricDirection = 'maximize' | 'minimize';

export interface EvaluationParams {
  readonly kind: EvaluationKind;
  /** The agent's sandbox, read only to copy the declared submission artifacts out. */
  readonly agentSandbox: Sandbox;
  readonly seed?: number;
}

export type EvaluationFailure =
  | { readonly type: 'submission_not_found'; readonly message: string }
  /** The submitted files are larger than the task's cap (submission.max_bytes); the message names both. */
  | { readonly type: 'submission_too_large'; readonly message: string }
  | { readonly type: 'evaluation_format_error'; readonly message: string }
  | { readonly type: 'evaluation_error'; readonly message: string };

/** The same submission scored on another split, for scoring only: the agent never sees it. */
export interface SplitScore {
  readonly split: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly score?: number;
  readonly improvement?: number;
  readonly failure?: EvaluationFailure;
  /** The sandbox this split was scored in. */
  readonly evaluationSandboxId?: string;
}

export interface EvaluationRecord {
  readonly kind: EvaluationKind;
  /** Which data the score comes from: 'validation' for validate, 'test' (held out) for the final score. */
  readonly split: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly primaryMetric: string;
  readonly direction: MetricDirection;
  /** The primary metric's value; undefined when the evaluation failed. */
  readonly score?: number;
  readonly baseline?: number;
  /** Normalised improvement of `score` over `baseline` (see normalizedImprovement). */
  readonly improvement?: number;
  readonly failure?: EvaluationFailure;
  readonly durationMs: number;
  /** Hash of the evaluator files and command, so scores from different evaluators are never mixed. */
  readonly evaluatorHash: string;
  /** Path of the submitted artifact in the agent's workspace (MLGym's info.submission). */
  readonly submission?: string;
  /**
   * The other split's score of the same submission: the test split's for validate, the validation split's for a
   * final evaluation. Absent in MLGym-compatible mode, where validate already scores the test split.
   */
  readonly otherSplit?: SplitScore;
  /** The fresh sandbox the (primary) evaluation ran in. */
  readonly evaluationSandboxId?: string;
  /** The agent's sandbox the artifacts were copied from. */
  readonly agentSandboxId?: string;
}

export interface Evaluator {
  evaluate(params: EvaluationParams): Promise<EvaluationRecord>;
}

/**
 * (score - baseline) / |baseline|, sign-flipped for metrics to minimise: 0 at the baseline, 0.1 for 10 % better.
 * With a zero baseline the raw difference is used.
 */
export function normalizedImprovement(score: number, baseline: number, direction: MetricDirection): number {
  const sign = direction === 'maximize' ? 1 : -1;
  const scale = Math.abs(baseline) > 1e-12 ? Math.abs(baseline) : 1;
  return (sign * (score - baseline)) / scale;
}
