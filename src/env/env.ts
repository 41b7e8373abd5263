/**
 * The Gym-style environment: `reset` builds a fresh workspace in a sandbox, `step` runs one agent action; validate
 * and submit go to the task's Evaluator, never this sandbox. A step or time limit autosubmits (truncated).
 */

import { InvalidArgumentError, ResetNeededError } from '../errors.js';
import { type EvaluationKind, type EvaluationRecord, RewardTracker } from '../eval/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../sandbox/index.js';
import * as aci from './aci/index.js';
import { INTERRUPT_FAILED_MESSAGE, mlgymPostprocess, timeoutMessage } from './observation.js';
import type { EnvTask } from './task.js';
import { fillWorkspace, wipeSandbox } from './workspace.js';

export { fillWorkspace, WORKSPACE, wipeSandbox } from './workspace.js';

/**
 * Where an env gets its sandboxes when it does not make them itself (the generator's warm pool): `acquire`
 * returns a sandbox for the task with the ACI installed and the task's starting workspace in place;
 * `release` takes it back when the env is done with it.
 */
export interface SandboxSource {
  acquire(task: EnvTask): Promise<Sandbox>;
  release(sandbox: Sandbox): Promise<void>;
}

export interface EnvOptions {
  /** Steps before the episode is truncated and autosubmitted. @default 50 */
  readonly maxSteps?: number;
  /** Wall-clock budget of an episode, from reset. @unit ms @default no budget */
  readonly wallClockBudgetMs?: number;
  /** Timeout for ordinary commands. @unit ms @default 25000 */
  readonly shortTimeoutMs?: number;
  /** Kill a command that prints nothing for this long. @unit ms @default no limit */
  readonly idleTimeoutMs?: number;
  /** Output kept per step (head + tail). @unit bytes @default 100000; null = MLGym's uncapped output */
  readonly outputLimitBytes?: number | null;
  /** MLGym-compatible observations (blank and tqdm lines dropped) and output cap off. @default false */
  readonly mlgymCompatible?: boolean;
  readonly aci?: Partial<aci.AciOptions>;
  /** How sandboxes are made. @default the Docker backend */
  readonly createSandbox?: (params: SandboxCreateParams) => Promise<Sandbox>;
  /** Take sandboxes from (and give them back to) a pool instead: every reset gets a clean one from it. */
  readonly sandboxSource?: SandboxSource;
}

export interface ResetParams {
  readonly task: EnvTask;
  readonly seed?: number;
}

export interface EnvState {
  readonly openFile: string;
  readonly workingDir: string;
}

/** A limit that ends the episode with an autosubmission: the env's own (steps, wall clock) or the agent loop's. */
export type AutosubmitReason = 'max_steps' | 'wall_clock' | 'exit_cost' | 'exit_context' | 'exit_format' | 'exit_api' | 'exit_error';

/** Why the env ended an episode: the agent submitted, or a limit autosubmitted (the episode record's ExitReason). */
export type EpisodeEndReason = 'submitted' | AutosubmitReason;

export interface StepInfo {
  readonly step: number;
  readonly state: EnvState;
  readonly exitCode?: number;
  readonly timedOut?: false | 'total' | 'idle';
  readonly durationMs: number;
  /** Set on validate, submit and autosubmission steps. */
  readonly evaluation?: EvaluationRecord;
  /** MLGym's exit status when the episode ended (`submitted`, `autosubmission (max_steps)`, ...). */
  readonly exitStatus?: string;
  /** Why the episode ended, typed; set with exitStatus. */
  readonly exitReason?: EpisodeEndReason;
}

export interface StepResult {
  readonly observation: string;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly info: StepInfo;
}

export interface ResetResult {
  readonly observation: string;
  readonly info: { readonly state: EnvState; readonly sandboxId: string; readonly reusedSandbox: boolean; readonly durationMs: number };
}

/** Command words that get the task's training timeout instead of the short one. */
const TRAINING_COMMAND = /(^|[\s;&|(])(python3?|torchrun|accelerate|deepspeed|pip3?)(\s|$)/;
/** MLGym's rule: any of these as a substring of the action. */
const MLGYM_TRAINING_SUBSTRINGS = ['torchrun', 'python', 'python3', 'accelerate', 'deepspeed'];

const STATE_COMMAND = 'printf "%s\\n%s\\n" "${CURRENT_FILE:+$(realpath -- "$CURRENT_FILE" 2>/dev/null)}" "$PWD"';

export class LabgymEnv {
  private sandbox: Sandbox | undefined;
  private task: EnvTask | undefined;
  private seed = 0;
  private stepCount = 0;
  private startedAt = 0;
  private done = true;
  private rewards = new RewardTracker();
  private readonly options: Required<Omit<EnvOptions, 'wallClockBudgetMs' | 'idleTimeoutMs' | 'aci' | 'sandboxSource'>> &
    Pick<EnvOptions, 'wallClockBudgetMs' | 'idleTimeoutMs' | 'aci' | 'sandboxSource'>;

  constructor(options: EnvOptions = {}) {
    const maxSteps = options.maxSteps ?? 50;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new InvalidArgumentError(`env: maxSteps must be a positive integer, got ${maxSteps}`);
    const mlgymCompatible = options.mlgymCompatible ?? false;
    this.options = {
      maxSteps,
      wallClockBudgetMs: options.wallClockBudgetMs,
      shortTimeoutMs: options.shortTimeoutMs ?? 25_000,
      idleTimeoutMs: options.idleTimeoutMs,
      outputLimitBytes: options.outputLimitBytes !== undefined ? options.outputLimitBytes : mlgymCompatible ? null : 100_000,
      mlgymCompatible,
      aci: options.aci,
      createSandbox: options.createSandbox ?? createSandbox,
      sandboxSource: options.sandboxSource,
    };
  }

  get currentSandbox(): Sandbox | undefined {
    return this.sandbox;
  }

  /** Steps an episode may take before it is autosubmitted. */
  get maxSteps(): number {
    return this.options.maxSteps;
  }

  /** The episode has used all its steps: the next one is an autosubmission (the one place the limit is compared). */
  get stepLimitReached(): boolean {
    return this.stepCount >= this.options.maxSteps;
  }

  /** The ACI settings the sandbox runs with (the agent renders the command docs from them). */
  get aciOptions(): Partial<aci.AciOptions> {
    return this.options.aci ?? {};
  }

  /**
   * End the episode now and score the workspace on the held-out split, for a limit the agent loop enforces
   * (MLGym's exit_cost, exit_context, exit_format, exit_api, exit_error actions, and max_steps when the agent
   * sees `stepLimitReached` and skips the wasted model call). Counts as a step, as in MLGym.
   */
  async autosubmit(reason: Exclude<AutosubmitReason, 'wall_clock'>): Promise<StepResult> {
    if (this.done || !this.sandbox || !this.task) throw new ResetNeededError('autosubmit() needs reset() first: the episode has not started or has ended');
    const started = performance.now();
    this.stepCount += 1;
    return this.finish('auto', reason, started);
  }

  /** Start an episode. A sandbox of the same image is reused: its workspace and shell are wiped instead. */
  async reset({ task, seed = 0 }: ResetParams): Promise<ResetResult> {
    const started = performance.now();
    const source = this.options.sandboxSource;
    if (source) {
      // The pool takes the old sandbox back (wiping it in the background) and hands out one prepared for this task.
      const previous = this.sandbox;
      this.sandbox = undefined;
      if (previous) await source.release(previous);
      this.sandbox = await source.acquire(task);
      return this.begin(task, seed, started, true);
    }
    let reused = false;
    const sameSetup = JSON.stringify([this.task?.limits, this.task?.env ?? {}]) === JSON.stringify([task.limits, task.env ?? {}]);
    if (this.sandbox && this.sandbox.image === task.image && sameSetup) {
      reused = await wipeSandbox(this.sandbox).then(
        () => true,
        () => false,
      );
    }
    if (!reused) {
      await this.sandbox?.close();
      this.sandbox = undefined;
      this.sandbox = await this.options.createSandbox({ image: task.image, limits: task.limits, gpus: task.gpus, env: task.env });
    }
    await fillWorkspace(this.sandbox!, task);
    if (!reused) await aci.installAci(this.sandbox!, this.options.aci);
    return this.begin(task, seed, started, reused);
  }

  /** Start the episode in the prepared sandbox. */
  private async begin(task: EnvTask, seed: number, started: number, reused: boolean): Promise<ResetResult> {
    const sandbox = this.sandbox!;
    this.task = task;
    this.seed = seed;
    this.stepCount = 0;
    this.rewards = new RewardTracker();
    this.startedAt = performance.now();
    this.done = false;
    return {
      observation: task.description,
      info: { state: await this.state(), sandboxId: sandbox.id, reusedSandbox: reused, durationMs: performance.now() - started },
    };
  }

  async step(action: string): Promise<StepResult> {
    if (this.done || !this.sandbox || !this.task) throw new ResetNeededError('step() needs reset() first: the episode has not started or has ended');
    const trimmed = action.trim();
    if (!trimmed) throw new InvalidArgumentError('step: the action is empty; send a shell or ACI command such as `ls` or `submit`');
    const started = performance.now();
    const limitReached = this.stepLimitReached;
    this.stepCount += 1;

    if (limitReached) return this.finish('auto', 'max_steps', started);
    const budget = this.options.wallClockBudgetMs;
    if (budget !== undefined && performance.now() - this.startedAt > budget) return this.finish('auto', 'wall_clock', started);

    const malformed = aci.malformedMultilineMessage(trimmed);
    if (malformed) return this.observe(malformed, started, {});
    if (trimmed === 'validate') return this.validate(started);
    if (trimmed === 'submit') return this.finish('submit', 'submit', started);

    const isTraining = this.options.mlgymCompatible ? MLGYM_TRAINING_SUBSTRINGS.some((word) => trimmed.includes(word)) : TRAINING_COMMAND.test(trimmed);
    const timeoutMs = isTraining ? (this.task.trainingTimeoutMs ?? 1_800_000) : this.options.shortTimeoutMs;
    const result = await this.sandbox.exec(aci.guardMultilineInput(trimmed), {
      timeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      outputLimitBytes: this.options.outputLimitBytes,
    });
    let observation = this.options.mlgymCompatible ? mlgymPostprocess(result.output) : result.output;
    if (result.timedOut) {
      const seconds = Math.round((result.timedOut === 'idle' ? this.options.idleTimeoutMs! : timeoutMs) / 1000);
      observation += result.shellRestarted ? INTERRUPT_FAILED_MESSAGE : timeoutMessage(result.timedOut, seconds);
    }
    if (result.shellRestarted) await aci.installAci(this.sandbox, this.options.aci);
    return this.observe(observation, started, { exitCode: result.exitCode, timedOut: result.timedOut }, 0, trimmed);
  }

  /** Remove the sandbox. Idempotent. */
  async close(): Promise<void> {
    this.done = true;
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (sandbox && this.options.sandboxSource) await this.options.sandboxSource.release(sandbox);
    else await sandbox?.close();
  }

  private async observe(
    observation: string,
    started: number,
    extra: Pick<StepInfo, 'exitCode' | 'timedOut' | 'evaluation'>,
    reward = 0,
    action?: string,
  ): Promise<StepResult> {
    return {
      observation,
      reward,
      terminated: false,
      truncated: false,
      info: { step: this.stepCount, state: await this.state(action), durationMs: performance.now() - started, ...extra },
    };
  }

  private async validate(started: number): Promise<StepResult> {
    const evaluation = await this.task!.evaluator.evaluate({ kind: 'validate', agentSandbox: this.sandbox!, seed: this.seed });
    // The reward and the observation use the validated split only; otherSplit is for the record.
    return this.observe(evaluationObservation(evaluation), started, { evaluation }, this.rewards.validation(evaluation.improvement));
  }

  /** Final evaluation on the held-out split: on submit, or on autosubmission when a limit is hit. */
  private async finish(kind: EvaluationKind, reason: AutosubmitReason | 'submit', started: number): Promise<StepResult> {
    const evaluation = await this.task!.evaluator.evaluate({ kind, agentSandbox: this.sandbox!, seed: this.seed });
    this.done = true;
    const failed = evaluation.failure?.type;
    const exitStatus = failed
      ? failed === 'evaluation_error'
        ? `${evaluation.failure!.message}, (${reason})`
        : `${failed} (${reason})`
      : kind === 'submit'
        ? 'submitted'
        : `autosubmission (${reason})`;
    const observation = failed ? evaluation.failure!.message : `Exited (${reason})`;
    return {
      observation,
      reward: this.rewards.final(evaluation.improvement),
      terminated: kind === 'submit',
      truncated: kind !== 'submit',
      info: {
        step: this.stepCount,
        state: await this.state(),
        durationMs: performance.now() - started,
        evaluation,
        exitStatus,
        exitReason: reason === 'submit' ? 'submitted' : reason,
      },
    };
  }

  /** Read the viewer state; after an agent action also record it as LAST_ACTION (the scroll warning reads it, as in MLGym). */
  private async state(lastAction?: string): Promise<EnvState> {
    const record = lastAction === undefined ? '' : `export LAST_ACTION=${aci.bashQuote(lastAction)}; `;
    const result = await this.sandbox!.exec(record + STATE_COMMAND, { timeoutMs: 5000 });
    const [openFile = '', workingDir = ''] = result.output.split('\n');
    return { openFile: openFile || 'n/a', workingDir };
  }
}

/** MLGym's validate observation (reference §5.1), Python-dict style, plus the split it was scored on. */
export function evaluationObservation(evaluation: EvaluationRecord): string {
  if (evaluation.failure) return evaluation.failure.type === 'evaluation_error' ? `Error: ${evaluation.failure.message}` : evaluation.failure.message;
  const dict = (values: Record<string, number>) =>
    `{${Object.entries(values)
      .map(([key, value]) => `'${key}': ${value}`)
      .join(', ')}}`;
  const baseline = evaluation.baseline === undefined ? 'NA (no baseline was there)' : dict({ [evaluation.primaryMetric]: evaluation.baseline });
  return `Your code produced a valid submission artefact at ${evaluation.submission ?? ''}.\nBaseline Score: ${baseline}\nEvaluation Score: ${dict(evaluation.metrics)}`;
}
