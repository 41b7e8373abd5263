/**
 * The agent loop (MLGym's BaseAgent.run): render the prompt, ask the model, parse one action, step the
 * environment, until the episode ends. Format errors are re-queried (up to 3 times) and recorded; a limit the
 * loop sees (steps, cost, context, format, API) autosubmits through the environment, which owns the exit-status
 * strings. Returns the episode record; it throws only when the environment cannot even be reset.
 */

import { randomUUID } from 'node:crypto';
import { SandboxUnavailableError } from '../errors.js';
import { aci, type EnvTask, type LabgymEnv, type StepResult } from '../env/index.js';
import { CostBudget, exitActionFor, ModelCallError, type ModelClient, type ModelExitAction, type ToolDefinition } from '../models/index.js';
import {
  EPISODE_SCHEMA_VERSION,
  EpisodeRecordSchema,
  type ChatMessage,
  type EpisodeRecord,
  type ModelCallRecord,
  type RequeryRecord,
  type ResponseFormat,
  type ScoreEntry,
  type StepRecord,
} from '../store/index.js';
import { FormatError } from './format-error.js';
import { DEFAULT_HISTORY_PROCESSOR, describeHistoryProcessor, historyProcessor, type HistoryProcessorSpec } from './history-processors.js';
import { parseResponse, type ParsedResponse } from './parsing.js';
import { defaultTemplates, renderTemplate, templatesHash, type AgentTemplates } from './templates.js';
import { aciToolDefinitions } from './tools.js';

export interface AgentOptions {
  /** How the model writes its action. @default 'mlgym' (a DISCUSSION and one fenced block) */
  readonly responseFormat?: ResponseFormat;
  /** @default last_n_observations with n = 5 (MLGym's default) */
  readonly historyProcessor?: HistoryProcessorSpec;
  /** Replace some of the default templates (same variables as MLGym's). */
  readonly templates?: Partial<AgentTemplates>;
  /** Re-queries after an output without exactly one action, before exit_format. @default 3 */
  readonly maxRequeries?: number;
}

export interface EpisodeLimits {
  /** Most this episode may spend on the model. @unit USD */
  readonly episodeCostUsd?: number;
  /** A budget shared by every episode of a run. */
  readonly runBudget?: CostBudget;
}

export interface EpisodeParams {
  readonly env: LabgymEnv;
  readonly task: EnvTask;
  readonly client: ModelClient;
  /** The environment's seed (the model's sampling seed is in the client's options). @default 0 */
  readonly seed?: number;
  readonly agent?: AgentOptions;
  readonly limits?: EpisodeLimits;
  /** Facts about the task the caller knows: its content hash and image id. */
  readonly taskInfo?: { readonly contentHash?: string; readonly imageId?: string };
  readonly episodeId?: string;
  readonly runId?: string;
  /** Sees each step as soon as it is recorded. */
  readonly onStep?: (step: StepRecord) => void | Promise<void>;
}

/** The exit status of an episode whose sandbox broke (container killed, daemon gone): an infrastructure failure, not the agent's. */
export const SANDBOX_ERROR_STATUS = 'sandbox_error';

/** The thought MLGym writes on the pseudo-step of each exit action. */
const EXIT_THOUGHTS: Record<ModelExitAction | 'exit_format' | 'max_steps', string> = {
  exit_format: 'Exit due to format error',
  exit_cost: 'Exit due to cost limit',
  exit_context: 'Exit due to context window',
  exit_api: 'Exit due to API error',
  exit_error: 'Exit due to runtime error',
  max_steps: 'Exit due to step limit',
};

type QueryOutcome =
  | { readonly kind: 'action'; readonly parsed: ParsedResponse; readonly content: string; readonly toolCalls?: ChatMessage['toolCalls']; readonly call: ModelCallRecord; readonly requeries: RequeryRecord[] }
  | { readonly kind: 'exit'; readonly action: ModelExitAction | 'exit_format'; readonly response: string; readonly requeries: RequeryRecord[]; readonly call?: ModelCallRecord; readonly error?: string };

/** Strip credentials, query string and fragment from a base URL before it is recorded. */
function recordableUrl(url: string): string {
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

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export async function runEpisode(params: EpisodeParams): Promise<EpisodeRecord> {
  const { env, task, client } = params;
  const seed = params.seed ?? 0;
  const format = params.agent?.responseFormat ?? 'mlgym';
  const processorSpec = params.agent?.historyProcessor ?? DEFAULT_HISTORY_PROCESSOR;
  const processHistory = historyProcessor(processorSpec);
  const maxRequeries = params.agent?.maxRequeries ?? 3;
  const templates: AgentTemplates = { ...defaultTemplates(format), ...params.agent?.templates };
  const aciOptions = env.aciOptions;
  const tools: ToolDefinition[] | undefined = format === 'tools' ? aciToolDefinitions(aciOptions) : undefined;
  const budgets = [
    ...(params.limits?.episodeCostUsd !== undefined ? [new CostBudget('episode', params.limits.episodeCostUsd)] : []),
    ...(params.limits?.runBudget ? [params.limits.runBudget] : []),
  ];

  const startedAt = new Date();
  const started = performance.now();
  const usage = { promptTokens: 0, completionTokens: 0, calls: 0, retries: 0, costUsd: 0, usageEstimated: false };
  let modelMs = 0;
  let envMs = 0;
  const count = (call: ModelCallRecord) => {
    usage.calls += 1;
    usage.retries += call.attempts - 1;
    usage.promptTokens += call.promptTokens;
    usage.completionTokens += call.completionTokens;
    usage.costUsd += call.costUsd;
    usage.usageEstimated ||= call.usageEstimated;
    modelMs += call.latencyMs;
  };

  const reset = await env.reset({ task, seed });
  const resetMs = performance.now() - started;
  const fixed = {
    id: task.id,
    description: task.description,
    training_timeout: Math.round((task.trainingTimeoutMs ?? 1_800_000) / 1000),
    command_docs: aci.renderCommandDocs(aci.ACI_COMMANDS, aciOptions),
    WINDOW: aciOptions.window ?? aci.DEFAULT_ACI_OPTIONS.window,
    OVERLAP: aciOptions.overlap ?? aci.DEFAULT_ACI_OPTIONS.overlap,
  };
  const messages: ChatMessage[] = [{ role: 'system', content: renderTemplate(templates.system, fixed) }];
  const steps: StepRecord[] = [];
  let state = reset.info.state;
  let currentStep = 0;
  let lastObservation: string | undefined;
  let lastToolCallId: string | undefined;
  let exitStatus = '';
  let error: string | undefined;

  /** Ask for the next action; re-query with the format-error template, keeping the failed tries in the conversation sent. */
  const query = async (): Promise<QueryOutcome> => {
    const requeries: RequeryRecord[] = [];
    const tries: ChatMessage[] = [];
    for (let attempt = 0; ; attempt++) {
      let result;
      try {
        result = await client.complete({ messages: processHistory([...messages, ...tries]), tools, budgets });
      } catch (caught) {
        if (caught instanceof ModelCallError) count(caught.call);
        const call = caught instanceof ModelCallError ? caught.call : undefined;
        return { kind: 'exit', action: exitActionFor(caught), response: '', requeries, call, error: errorText(caught) };
      }
      count(result.call);
      try {
        const parsed = parseResponse(format, result.content, result.toolCalls);
        return { kind: 'action', parsed, content: result.content, toolCalls: result.toolCalls, call: result.call, requeries };
      } catch (caught) {
        if (!(caught instanceof FormatError)) throw caught;
        if (attempt === maxRequeries) return { kind: 'exit', action: 'exit_format', response: result.content, requeries, call: result.call, error: caught.message };
        requeries.push({ response: result.content, ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}), formatError: caught.message, call: result.call });
        const formatError = renderTemplate(templates.formatError, {});
        tries.push({ role: 'assistant', content: result.content, ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}) });
        // Every tool call must be answered before the conversation goes on (OpenAI's rule for tool messages).
        if (result.toolCalls?.length) for (const call of result.toolCalls) tries.push({ role: 'tool', toolCallId: call.id, content: formatError });
        else tries.push({ role: 'user', content: formatError });
      }
    }
  };

  const record = async (fields: Omit<StepRecord, 'reward' | 'terminated' | 'truncated' | 'observation' | 'state' | 'evaluation' | 'exitStatus' | 'index'>, result: StepResult) => {
    const step: StepRecord = {
      ...fields,
      index: result.info.step,
      observation: result.observation,
      reward: result.reward,
      terminated: result.terminated,
      truncated: result.truncated,
      state: result.info.state,
      ...(result.info.evaluation ? { evaluation: { ...result.info.evaluation } } : {}),
      ...(result.info.exitStatus !== undefined ? { exitStatus: result.info.exitStatus } : {}),
    };
    steps.push(step);
    currentStep = result.info.step;
    state = result.info.state;
    lastObservation = result.observation;
    if (result.info.exitStatus !== undefined) exitStatus = result.info.exitStatus;
    await params.onStep?.(step);
    return result.terminated || result.truncated;
  };

  const autosubmit = async (action: ModelExitAction | 'exit_format' | 'max_steps', fields: { response: string; requeries: RequeryRecord[]; call?: ModelCallRecord }) => {
    const stepStarted = new Date();
    const envStarted = performance.now();
    const result = await env.autosubmit(action);
    const executionMs = performance.now() - envStarted;
    envMs += executionMs;
    return record(
      {
        startedAt: stepStarted.toISOString(),
        response: fields.response,
        thought: EXIT_THOUGHTS[action],
        action,
        requeries: fields.requeries,
        ...(fields.call ? { modelCall: fields.call } : {}),
        executionMs,
      },
      result,
    );
  };

  try {
    for (;;) {
      if (currentStep >= env.maxSteps) {
        // MLGym asks the model once more and throws the answer away; labgym autosubmits without the wasted call.
        await autosubmit('max_steps', { response: '', requeries: [] });
        break;
      }
      const variables = {
        ...fixed,
        current_step: currentStep,
        remaining_steps: env.maxSteps - currentStep,
        open_file: state.openFile,
        working_dir: state.workingDir,
      };
      const prompt =
        lastObservation === undefined
          ? renderTemplate(templates.task, variables)
          : lastObservation.trim() === ''
            ? renderTemplate(templates.nextStepNoOutput, variables)
            : renderTemplate(templates.nextStep, { ...variables, observation: lastObservation.replace(/\n$/, '') });
      messages.push(lastToolCallId ? { role: 'tool', toolCallId: lastToolCallId, content: prompt } : { role: 'user', content: prompt });

      const stepStarted = new Date();
      const outcome = await query();
      if (outcome.kind === 'exit') {
        if (outcome.error) error = outcome.error;
        await autosubmit(outcome.action, outcome);
        break;
      }
      messages.push({ role: 'assistant', content: outcome.content, ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}) });
      lastToolCallId = outcome.toolCalls?.[0]?.id;
      const envStarted = performance.now();
      const result = await env.step(outcome.parsed.action);
      const executionMs = performance.now() - envStarted;
      envMs += executionMs;
      const ended = await record(
        {
          startedAt: stepStarted.toISOString(),
          response: outcome.content,
          ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}),
          thought: outcome.parsed.thought,
          action: outcome.parsed.action,
          modelCall: outcome.call,
          requeries: outcome.requeries,
          executionMs,
        },
        result,
      );
      if (ended) break;
    }
  } catch (caught) {
    // A broken sandbox or a bug: score what is there if the environment still can, and keep the reason.
    error = errorText(caught);
    if (caught instanceof SandboxUnavailableError) {
      // The container is gone (killed, daemon restarted): nothing is left to score; a generator may retry it.
      exitStatus = SANDBOX_ERROR_STATUS;
    } else {
      try {
        await autosubmit('exit_error', { response: '', requeries: [] });
      } catch {
        exitStatus = 'early_exit';
      }
    }
  }

  const endedAt = new Date();
  const totalMs = performance.now() - started;
  return EpisodeRecordSchema.parse({
    schemaVersion: EPISODE_SCHEMA_VERSION,
    episodeId: params.episodeId ?? randomUUID(),
    ...(params.runId ? { runId: params.runId } : {}),
    source: 'labgym',
    task: { id: task.id, image: task.image, ...params.taskInfo },
    model: {
      name: client.options.model,
      baseUrl: recordableUrl(client.options.baseUrl),
      sampling: { ...client.options.sampling },
      ...(client.options.contextWindowTokens ? { contextWindowTokens: client.options.contextWindowTokens } : {}),
      ...(client.options.pricing ? { pricing: client.options.pricing } : {}),
    },
    agent: { responseFormat: format, historyProcessor: describeHistoryProcessor(processorSpec), maxRequeries, templatesHash: templatesHash(templates) },
    seed,
    limits: {
      maxSteps: env.maxSteps,
      ...(params.limits?.episodeCostUsd !== undefined ? { episodeCostLimitUsd: params.limits.episodeCostUsd } : {}),
      ...(params.limits?.runBudget ? { runCostLimitUsd: params.limits.runBudget.limitUsd } : {}),
    },
    timings: { startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), totalMs, resetMs, modelMs, envMs },
    messages,
    steps,
    exitStatus,
    ...(error !== undefined ? { error } : {}),
    scores: scoresOf(steps),
    usage: { ...usage, totalTokens: usage.promptTokens + usage.completionTokens, gpuSeconds: ((task.gpus?.length ?? 0) * totalMs) / 1000 },
    integrity: {
      evaluatorHashes: [...new Set(steps.flatMap((step) => (step.evaluation ? [step.evaluation.evaluatorHash] : [])))],
      evaluatedOutsideAgentSandbox: true,
    },
  } satisfies EpisodeRecord);
}

/** Baseline, every validation, the final (held-out) score, and the best primary score of the episode. */
export function scoresOf(steps: readonly StepRecord[]): EpisodeRecord['scores'] {
  const evaluations = steps.flatMap((step) => (step.evaluation ? [{ step: step.index, evaluation: step.evaluation }] : []));
  const entry = ({ step, evaluation }: (typeof evaluations)[number]): ScoreEntry => ({
    step,
    split: evaluation.split,
    metrics: { ...evaluation.metrics },
    ...(evaluation.score !== undefined ? { score: evaluation.score } : {}),
  });
  const validations = evaluations.filter(({ evaluation }) => evaluation.kind === 'validate').map(entry);
  const last = evaluations.at(-1);
  const final = last && last.evaluation.kind !== 'validate' && last.evaluation.score !== undefined ? entry(last) : undefined;
  const first = evaluations[0]?.evaluation;
  const direction = first?.direction;
  const scores = [...validations, ...(final ? [final] : [])].flatMap((item) => (item.score === undefined ? [] : [item.score]));
  const best = scores.length ? (direction === 'minimize' ? Math.min(...scores) : Math.max(...scores)) : undefined;
  return {
    ...(first ? { primaryMetric: first.primaryMetric, direction: first.direction } : {}),
    ...(first?.baseline !== undefined ? { baseline: first.baseline } : {}),
    validations,
    ...(final ? { final } : {}),
    ...(best !== undefined ? { best } : {}),
  };
}
