/**
 * The episode record: one agent episode as stored, schema-versioned (zod, with a generated JSON Schema).
 * Readers take version 1 records too (upgraded on read); nothing here knows about Docker or HTTP.
 */

import { z } from 'zod';
import type { EvaluationRecord } from '../eval/index.js';

export const EPISODE_SCHEMA_VERSION = 2;

/**
 * Why an episode ended, typed (MLGym's exit status string stays beside it): the agent submitted, a limit
 * autosubmitted (steps, wall clock, cost, context, format errors, API errors, a runtime error), the sandbox broke
 * (an infrastructure failure: worth another try), or the loop broke and nothing could be scored.
 */
export const EXIT_REASONS = [
  'submitted',
  'max_steps',
  'wall_clock',
  'exit_cost',
  'exit_context',
  'exit_format',
  'exit_api',
  'exit_error',
  'sandbox_error',
  'early_exit',
] as const;
export const ExitReasonSchema = z.enum(EXIT_REASONS);
export type ExitReason = z.infer<typeof ExitReasonSchema>;

export const ToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The arguments as the model wrote them: a JSON text, possibly invalid. */
  arguments: z.string(),
});

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  /** null only for an assistant message that holds tool calls and no text. */
  content: z.string().nullable(),
  toolCalls: z.array(ToolCallSchema).optional(),
  /** For role 'tool': the call it answers. */
  toolCallId: z.string().optional(),
});

export const EnvStateSchema = z.object({ openFile: z.string(), workingDir: z.string() });

const EvaluationFailureSchema = z.object({
  type: z.enum(['submission_not_found', 'submission_too_large', 'evaluation_format_error', 'evaluation_error']),
  message: z.string(),
});

/** The same submission scored on the other split, for scoring only: the agent never sees it. */
export const SplitScoreSchema = z.object({
  split: z.string(),
  metrics: z.record(z.string(), z.number()),
  score: z.number().optional(),
  improvement: z.number().optional(),
  failure: EvaluationFailureSchema.optional(),
  evaluationSandboxId: z.string().optional(),
});

/** Mirrors src/eval's EvaluationRecord; extra fields added there later are kept. */
export const EvaluationRecordSchema = z.looseObject({
  kind: z.enum(['validate', 'submit', 'auto']),
  split: z.string(),
  metrics: z.record(z.string(), z.number()),
  primaryMetric: z.string(),
  direction: z.enum(['maximize', 'minimize']),
  score: z.number().optional(),
  baseline: z.number().optional(),
  improvement: z.number().optional(),
  failure: EvaluationFailureSchema.optional(),
  durationMs: z.number(),
  evaluatorHash: z.string(),
  submission: z.string().optional(),
  /** The validate step's test-split score, or the final step's validation-split score (absent in MLGym-compatible mode). */
  otherSplit: SplitScoreSchema.optional(),
  /** Where the evaluation ran and whose artifacts it read: integrity is computed from these. */
  evaluationSandboxId: z.string().optional(),
  agentSandboxId: z.string().optional(),
});

/** One request to the model endpoint, retries included. */
export const ModelCallRecordSchema = z.object({
  /** Wall time of the request, retries and their back-off included. @unit ms */
  latencyMs: z.number().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** The endpoint reported no usage, so the token counts are estimates. */
  usageEstimated: z.boolean(),
  /** HTTP attempts: 1 + retries. */
  attempts: z.number().int().positive(),
  costUsd: z.number().nonnegative(),
  /** labgym's finish reason next to the endpoint's raw one (vLLM and others add their own). */
  finishReason: z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'other']).optional(),
  rawFinishReason: z.string().optional(),
  /** Why the call failed, when it did (the error class and message; never request headers). */
  error: z.string().optional(),
  /** The failure was the endpoint's (connection refused, DNS, timeout, 408/429/5xx), not a 4xx: a resume runs the episode again. */
  unreachable: z.boolean().optional(),
});

/** A model output that could not be parsed, and the re-query it caused. MLGym dropped these; labgym keeps them. */
export const RequeryRecordSchema = z.object({
  response: z.string(),
  toolCalls: z.array(ToolCallSchema).optional(),
  formatError: z.string(),
  call: ModelCallRecordSchema.optional(),
});

export const StepRecordSchema = z.object({
  /** The environment's step number, from 1. */
  index: z.number().int().positive(),
  startedAt: z.iso.datetime().optional(),
  /** The raw model output that was executed ('' for steps no model output led to, such as autosubmission). */
  response: z.string(),
  toolCalls: z.array(ToolCallSchema).optional(),
  thought: z.string(),
  /** The command sent to the environment; exit_format, exit_cost, ... for autosubmission steps (as in MLGym). */
  action: z.string(),
  observation: z.string(),
  reward: z.number(),
  terminated: z.boolean(),
  truncated: z.boolean(),
  /** The viewer state after the step. */
  state: EnvStateSchema.optional(),
  /** The shell command's exit status (absent for steps that ran no command: validate, submit, autosubmission). */
  exitCode: z.number().int().optional(),
  /** The command was killed by its total or no-output timeout. */
  timedOut: z.union([z.literal(false), z.enum(['total', 'idle'])]).optional(),
  evaluation: EvaluationRecordSchema.optional(),
  exitStatus: z.string().optional(),
  /** The call whose output became the action; absent when no call led to this step. */
  modelCall: ModelCallRecordSchema.optional(),
  requeries: z.array(RequeryRecordSchema),
  /** Time spent in env.step. @unit ms */
  executionMs: z.number().nonnegative(),
});

export const SamplingSchema = z.object({
  temperature: z.number().optional(),
  topP: z.number().optional(),
  maxTokens: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});

export const ScoreEntrySchema = z.object({
  step: z.number().int().positive().optional(),
  split: z.string().optional(),
  score: z.number().optional(),
  metrics: z.record(z.string(), z.number()),
  /** The primary score of this attempt on each split that scored it (the agent saw only `split`'s). */
  validationScore: z.number().optional(),
  testScore: z.number().optional(),
});

/**
 * How `scores.best` picks: 'validation-selected' = the test score of the attempt with the best validation score
 * (labgym's default); 'mlgym' = the best score over every evaluation, splits mixed (MLGym's Best Attempt).
 */
export const BestRuleSchema = z.enum(['validation-selected', 'mlgym']);
export type BestRule = z.infer<typeof BestRuleSchema>;

export const EpisodeRecordSchema = z.object({
  schemaVersion: z.literal(EPISODE_SCHEMA_VERSION),
  episodeId: z.string().min(1),
  runId: z.string().optional(),
  /** Where the record came from: an episode labgym ran, or an imported MLGym trajectory. */
  source: z.enum(['labgym', 'mlgym']),
  task: z.object({
    id: z.string().min(1),
    /** Hash of the task's files (description, starter code, evaluator), so records of changed tasks never mix. */
    contentHash: z.string().optional(),
    image: z.string().optional(),
    imageId: z.string().optional(),
  }),
  model: z.object({
    name: z.string(),
    /** The endpoint (never a key: keys come from the environment and are not recorded). */
    baseUrl: z.string().optional(),
    sampling: SamplingSchema,
    contextWindowTokens: z.number().int().positive().optional(),
    pricing: z.object({ inputPerMillionTokens: z.number().nonnegative(), outputPerMillionTokens: z.number().nonnegative() }).optional(),
  }),
  agent: z.object({
    responseFormat: z.enum(['mlgym', 'xml', 'tools']),
    historyProcessor: z.string(),
    maxRequeries: z.number().int().nonnegative(),
    /** sha256 of the prompt templates: MLGym's published runs mix five prompt variants with no version field. */
    templatesHash: z.string().optional(),
  }),
  seed: z.number().int().optional(),
  limits: z.object({
    maxSteps: z.number().int().positive().optional(),
    wallClockBudgetMs: z.number().positive().optional(),
    episodeCostLimitUsd: z.number().positive().optional(),
    runCostLimitUsd: z.number().positive().optional(),
  }),
  timings: z
    .object({
      startedAt: z.iso.datetime(),
      endedAt: z.iso.datetime(),
      totalMs: z.number().nonnegative(),
      resetMs: z.number().nonnegative(),
      modelMs: z.number().nonnegative(),
      envMs: z.number().nonnegative(),
    })
    .optional(),
  /** The full conversation as the agent kept it (history processors only change what is sent, not this). */
  messages: z.array(ChatMessageSchema),
  steps: z.array(StepRecordSchema),
  /** MLGym's exit status (submitted, autosubmission (max_steps), ...); early_exit with `error` when the loop broke. */
  exitStatus: z.string(),
  exitReason: ExitReasonSchema,
  error: z.string().optional(),
  scores: z.object({
    primaryMetric: z.string().optional(),
    direction: z.enum(['maximize', 'minimize']).optional(),
    baseline: z.number().optional(),
    validations: z.array(ScoreEntrySchema),
    /** The held-out score of the submission (or autosubmission); absent when it failed. */
    final: ScoreEntrySchema.optional(),
    /** The episode's best score under `bestRule`. */
    best: z.number().optional(),
    bestRule: BestRuleSchema.optional(),
  }),
  usage: z.object({
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    /** Model requests (re-queries included), each counted once however many HTTP attempts it took. */
    calls: z.number().int().nonnegative(),
    /** HTTP retries on 429, 5xx, timeouts and connection errors. */
    retries: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
    usageEstimated: z.boolean(),
    gpuSeconds: z.number().nonnegative(),
  }),
  integrity: z.object({
    /** Every evaluator content hash that scored this episode. */
    evaluatorHashes: z.array(z.string()),
    /** Scores came from a separate evaluation sandbox, not the agent's (false for MLGym imports). */
    evaluatedOutsideAgentSandbox: z.boolean(),
  }),
});

export type ToolCall = z.infer<typeof ToolCallSchema>;
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type ModelCallRecord = z.infer<typeof ModelCallRecordSchema>;
export type RequeryRecord = z.infer<typeof RequeryRecordSchema>;
export type StepRecord = z.infer<typeof StepRecordSchema>;
export type ScoreEntry = z.infer<typeof ScoreEntrySchema>;
export type EpisodeRecord = z.infer<typeof EpisodeRecordSchema>;
export type ResponseFormat = EpisodeRecord['agent']['responseFormat'];

// Compile-time check that every EvaluationRecord the evaluator makes fits the stored shape.
const evaluationFits = (record: EvaluationRecord): z.input<typeof EvaluationRecordSchema> => ({ ...record });
void evaluationFits;

/** The JSON Schema of an episode record (one JSONL line), for readers in other languages. */
export function episodeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(EpisodeRecordSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** The typed reason behind one of MLGym's exit status strings (`autosubmission (exit_cost)`, `submission_not_found (submit)`, ...). */
export function exitReasonOf(exitStatus: string): ExitReason {
  if (exitStatus === 'submitted') return 'submitted';
  if ((EXIT_REASONS as readonly string[]).includes(exitStatus)) return exitStatus as ExitReason;
  const inParentheses = /\((\w+)\)\s*$/.exec(exitStatus)?.[1];
  if (inParentheses === 'submit') return 'submitted';
  if (inParentheses && (EXIT_REASONS as readonly string[]).includes(inParentheses)) return inParentheses as ExitReason;
  return 'early_exit';
}

/**
 * A timeout read from an observation's text, for records that have only the text (version 1, MLGym imports):
 * the timeout message closes the observation, so only its last lines count.
 */
export function timedOutFromText(observation: string): 'total' | 'idle' | undefined {
  const lines = observation.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  const idle = /^EXECUTION TIMED OUT BECAUSE NO OUTPUT WAS PRODUCED\b/;
  if (idle.test(last) || (/^PLEASE REFINE YOUR RUNNING COMMAND\b/.test(last) && idle.test(lines.at(-2) ?? ''))) return 'idle';
  return /^EXECUTION TIMED OUT\b/.test(last) ? 'total' : undefined;
}

/** A version 1 record as version 2: the exit reason from its status string, timeouts from the observation text. */
function upgradeFromV1(data: Record<string, unknown>): Record<string, unknown> {
  const steps = Array.isArray(data.steps) ? data.steps : [];
  return {
    ...data,
    schemaVersion: EPISODE_SCHEMA_VERSION,
    exitReason: exitReasonOf(typeof data.exitStatus === 'string' ? data.exitStatus : ''),
    steps: steps.map((step: unknown) => {
      const observation = step && typeof step === 'object' ? (step as { observation?: unknown }).observation : undefined;
      const timedOut = typeof observation === 'string' ? timedOutFromText(observation) : undefined;
      return timedOut ? { ...(step as object), timedOut } : step;
    }),
  };
}

/** Any stored record (version 1 or 2) as the current version; what is not a record is left for the schema to reject. */
export function upgradeEpisodeRecord(data: unknown): unknown {
  if (data && typeof data === 'object' && (data as { schemaVersion?: unknown }).schemaVersion === 1) return upgradeFromV1(data as Record<string, unknown>);
  return data;
}

/** What readers validate a stored line with: every version still read, as the current one. */
export const StoredEpisodeRecordSchema = z.preprocess(upgradeEpisodeRecord, EpisodeRecordSchema);
