/**
 * The agent loop (MLGym's BaseAgent.run): render the prompt, ask the model, parse one action, step the environment,
 * until the env ends the episode (a limit the loop sees autosubmits through it). Throws only when reset fails.
 */

import { randomUUID } from 'node:crypto';
import { type AutosubmitReason, aci, type EnvState, type EnvTask, type LabgymEnv, type StepResult } from '../env/index.js';
import { isSandboxUnavailable } from '../errors.js';
import { CostBudget, type ModelClient, type ModelExitAction } from '../models/index.js';
import {
  type ChatMessage,
  EPISODE_SCHEMA_VERSION,
  type EpisodeRecord,
  EpisodeRecordSchema,
  type ExitReason,
  type ModelCallRecord,
  type RequeryRecord,
  type ResponseFormat,
  type StepRecord,
} from '../store/index.js';
import { DEFAULT_HISTORY_PROCESSOR, describeHistoryProcessor, type HistoryProcessorSpec, historyProcessor } from './history-processors.js';
import { errorText, type QueryContext, queryModel, UsageCounter } from './model-query.js';
import { evaluatedOutside, recordableUrl, type StepFields, stepRecord } from './record-facts.js';
import { scoresOf } from './scores.js';
import { type AgentTemplates, defaultTemplates, renderTemplate, templatesHash } from './templates.js';
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
  /** GPU-seconds of this episode's lease, read when the record is built. @default no GPUs (0) */
  readonly gpuSeconds?: () => number;
}

/** The exit status (and exit reason) of an episode whose sandbox broke (container killed, daemon gone): an infrastructure failure, not the agent's. */
export const SANDBOX_ERROR_STATUS = 'sandbox_error';

/** An autosubmission the agent loop asks for. */
type LoopExitAction = Exclude<AutosubmitReason, 'wall_clock'>;

/** The thought MLGym writes on the pseudo-step of each exit action. */
const EXIT_THOUGHTS: Record<LoopExitAction, string> = {
  exit_format: 'Exit due to format error',
  exit_cost: 'Exit due to cost limit',
  exit_context: 'Exit due to context window',
  exit_api: 'Exit due to API error',
  exit_error: 'Exit due to runtime error',
  max_steps: 'Exit due to step limit',
};

export async function runEpisode(params: EpisodeParams): Promise<EpisodeRecord> {
  return new EpisodeRun(params).run();
}

/** One episode in progress: the conversation, the steps so far, and why it ended. */
class EpisodeRun {
  private readonly format: ResponseFormat;
  private readonly processorSpec: HistoryProcessorSpec;
  private readonly templates: AgentTemplates;
  private readonly query: QueryContext;
  private readonly usage = new UsageCounter();
  private readonly messages: ChatMessage[] = [];
  private readonly steps: StepRecord[] = [];
  private fixed: Record<string, string | number> = {};
  private state: EnvState = { openFile: 'n/a', workingDir: '' };
  private currentStep = 0;
  private lastObservation: string | undefined;
  private lastToolCallId: string | undefined;
  private exitStatus = '';
  private exitReason: ExitReason | undefined;
  private error: string | undefined;
  private envMs = 0;

  constructor(private readonly params: EpisodeParams) {
    this.format = params.agent?.responseFormat ?? 'mlgym';
    this.processorSpec = params.agent?.historyProcessor ?? DEFAULT_HISTORY_PROCESSOR;
    this.templates = { ...defaultTemplates(this.format), ...params.agent?.templates };
    const limits = params.limits;
    this.query = {
      client: params.client,
      format: this.format,
      processHistory: historyProcessor(this.processorSpec),
      tools: this.format === 'tools' ? aciToolDefinitions(params.env.aciOptions) : undefined,
      budgets: [
        ...(limits?.episodeCostUsd !== undefined ? [new CostBudget('episode', limits.episodeCostUsd)] : []),
        ...(limits?.runBudget ? [limits.runBudget] : []),
      ],
      maxRequeries: params.agent?.maxRequeries ?? 3,
      templates: this.templates,
      usage: this.usage,
    };
  }

  async run(): Promise<EpisodeRecord> {
    const { env, task } = this.params;
    const startedAt = new Date();
    const started = performance.now();
    const reset = await env.reset({ task, seed: this.params.seed ?? 0 });
    const resetMs = performance.now() - started;
    const aciOptions = env.aciOptions;
    this.fixed = {
      id: task.id,
      description: task.description,
      training_timeout: Math.round((task.trainingTimeoutMs ?? 1_800_000) / 1000),
      command_docs: aci.renderCommandDocs(aci.ACI_COMMANDS, aciOptions),
      WINDOW: aciOptions.window ?? aci.DEFAULT_ACI_OPTIONS.window,
      OVERLAP: aciOptions.overlap ?? aci.DEFAULT_ACI_OPTIONS.overlap,
    };
    this.messages.push({ role: 'system', content: renderTemplate(this.templates.system, this.fixed) });
    this.state = reset.info.state;
    try {
      await this.loop();
    } catch (caught) {
      await this.recover(caught);
    }
    if (this.exitReason === undefined) {
      this.exitReason = 'early_exit';
      this.exitStatus ||= 'early_exit';
    }
    return this.record(startedAt, performance.now() - started, resetMs);
  }

  /** Turns until the env ends the episode, or the loop autosubmits for a limit it sees. */
  private async loop(): Promise<void> {
    for (;;) {
      if (this.params.env.stepLimitReached) {
        // MLGym asks the model once more and throws the answer away; labgym autosubmits without the wasted call.
        await this.autosubmit('max_steps', { response: '', requeries: [] });
        return;
      }
      this.messages.push(this.prompt());
      const stepStarted = new Date();
      const outcome = await queryModel(this.query, this.messages);
      if (outcome.kind === 'exit') {
        if (outcome.error) this.error = outcome.error;
        await this.autosubmit(outcome.action, outcome);
        return;
      }
      this.messages.push({ role: 'assistant', content: outcome.content, ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}) });
      this.lastToolCallId = outcome.toolCalls?.[0]?.id;
      const envStarted = performance.now();
      const result = await this.params.env.step(outcome.parsed.action);
      const fields: StepFields = {
        startedAt: stepStarted.toISOString(),
        response: outcome.content,
        ...(outcome.toolCalls ? { toolCalls: outcome.toolCalls } : {}),
        thought: outcome.parsed.thought,
        action: outcome.parsed.action,
        modelCall: outcome.call,
        requeries: outcome.requeries,
        executionMs: this.timeEnv(envStarted),
      };
      if (await this.recordStep(fields, result)) return;
    }
  }

  /** The next user (or tool) message: the task at first, then the last observation. */
  private prompt(): ChatMessage {
    const templates = this.templates;
    const variables = {
      ...this.fixed,
      current_step: this.currentStep,
      remaining_steps: this.params.env.maxSteps - this.currentStep,
      open_file: this.state.openFile,
      working_dir: this.state.workingDir,
    };
    const observation = this.lastObservation;
    const content =
      observation === undefined
        ? renderTemplate(templates.task, variables)
        : observation.trim() === ''
          ? renderTemplate(templates.nextStepNoOutput, variables)
          : renderTemplate(templates.nextStep, { ...variables, observation: observation.replace(/\n$/, '') });
    return this.lastToolCallId ? { role: 'tool', toolCallId: this.lastToolCallId, content } : { role: 'user', content };
  }

  /** Add env time since `envStarted` to the episode's and return it. @unit ms */
  private timeEnv(envStarted: number): number {
    const executionMs = performance.now() - envStarted;
    this.envMs += executionMs;
    return executionMs;
  }

  /** Keep a step and what it says about the episode; true when the episode ended. */
  private async recordStep(fields: StepFields, result: StepResult): Promise<boolean> {
    const step = stepRecord(fields, result);
    this.steps.push(step);
    this.currentStep = result.info.step;
    this.state = result.info.state;
    this.lastObservation = result.observation;
    if (result.info.exitStatus !== undefined) this.exitStatus = result.info.exitStatus;
    if (result.info.exitReason !== undefined) this.exitReason = result.info.exitReason;
    await this.params.onStep?.(step);
    return result.terminated || result.truncated;
  }

  private async autosubmit(
    action: LoopExitAction | ModelExitAction,
    fields: { response: string; requeries: RequeryRecord[]; call?: ModelCallRecord },
  ): Promise<void> {
    const stepStarted = new Date();
    const envStarted = performance.now();
    const result = await this.params.env.autosubmit(action);
    const executionMs = this.timeEnv(envStarted);
    const step: StepFields = {
      startedAt: stepStarted.toISOString(),
      response: fields.response,
      thought: EXIT_THOUGHTS[action],
      action,
      requeries: fields.requeries,
      ...(fields.call ? { modelCall: fields.call } : {}),
      executionMs,
    };
    await this.recordStep(step, result);
  }

  /** A broken sandbox or a bug: score what is there if the environment still can, and keep the reason. */
  private async recover(caught: unknown): Promise<void> {
    this.error = errorText(caught);
    if (!isSandboxUnavailable(caught)) {
      try {
        await this.autosubmit('exit_error', { response: '', requeries: [] });
        return;
      } catch (again) {
        if (!isSandboxUnavailable(again)) return; // nothing could be scored: early_exit
      }
    }
    // The container is gone (killed, daemon restarted): nothing is left to score; a generator may retry it.
    this.exitStatus = SANDBOX_ERROR_STATUS;
    this.exitReason = 'sandbox_error';
  }

  private record(startedAt: Date, totalMs: number, resetMs: number): EpisodeRecord {
    const { params, usage, steps } = this;
    const { client, task, env } = params;
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
      agent: {
        responseFormat: this.format,
        historyProcessor: describeHistoryProcessor(this.processorSpec),
        maxRequeries: this.query.maxRequeries,
        templatesHash: templatesHash(this.templates),
      },
      seed: params.seed ?? 0,
      limits: {
        maxSteps: env.maxSteps,
        ...(params.limits?.episodeCostUsd !== undefined ? { episodeCostLimitUsd: params.limits.episodeCostUsd } : {}),
        ...(params.limits?.runBudget ? { runCostLimitUsd: params.limits.runBudget.limitUsd } : {}),
      },
      timings: { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), totalMs, resetMs, modelMs: usage.modelMs, envMs: this.envMs },
      messages: this.messages,
      steps,
      exitStatus: this.exitStatus,
      exitReason: this.exitReason ?? 'early_exit',
      ...(this.error !== undefined ? { error: this.error } : {}),
      scores: scoresOf(steps),
      usage: { ...usage.totals(), gpuSeconds: params.gpuSeconds?.() ?? 0 },
      integrity: {
        evaluatorHashes: [...new Set(steps.flatMap((step) => (step.evaluation ? [step.evaluation.evaluatorHash] : [])))],
        evaluatedOutsideAgentSandbox: evaluatedOutside(steps),
      },
    } satisfies EpisodeRecord);
  }
}
