/**
 * Scores a submission in fresh sandboxes from the task's pristine image, as root, in a root-owned workspace the
 * submitted code cannot write, from a root-only metrics file. Each evaluation also scores the other split, unseen.
 */

import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isSandboxUnavailable } from '../errors.js';
import { hashTree } from '../hash.js';
import { createSandbox, type ExecResult, type Sandbox, type SandboxCreateParams, type SandboxLimitsInput } from '../sandbox/index.js';
import type { EvaluationFailure, EvaluationParams, EvaluationRecord, Evaluator, MetricDirection, SplitScore } from './evaluator.js';
import { normalizedImprovement } from './evaluator.js';
import { collectSubmission, HIDDEN_DIR, NOT_FOUND_FAILURE, type Submission } from './submission.js';

export interface SandboxEvaluatorConfig {
  /** The task's pristine image. */
  readonly image: string;
  /** Files or globs (bash globstar) the agent must produce, relative to its workspace. */
  readonly artifacts: readonly string[];
  /** Host files, or folders whose contents are copied, put root-owned into the evaluation workspace. */
  readonly files: readonly string[];
  /** Host files or folders per split that only the evaluator sees; their contents go to `hidden/` (root-only). */
  readonly hidden?: Readonly<Record<string, readonly string[]>>;
  /** Shell command run as root in the evaluation workspace. */
  readonly command: string;
  /** 'file': the root-only metrics file (labgym_eval.write_metrics); 'stdout': the last JSON line (MLGym). @default 'file' */
  readonly metricsFrom?: 'file' | 'stdout';
  readonly primaryMetric: string;
  readonly direction: MetricDirection;
  readonly baseline?: number;
  /** Split scored by validate and by the final evaluation. MLGym scored the test split for both. */
  readonly splits?: { readonly validate: string; readonly final: string };
  /** Extra environment of the evaluation (LABGYM_SCALE). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** How long each call into the submission's worker process may take (labgym_eval's LABGYM_CALL_TIMEOUT). @unit ms @default 10000 */
  readonly callTimeoutMs?: number;
  /** The most the submitted files may hold together (apparent sizes); past it the evaluation fails. @unit bytes @default 1 GiB */
  readonly maxArtifactBytes?: number;
  readonly limits?: SandboxLimitsInput;
  readonly gpus?: readonly string[];
  readonly workspaceDir?: string;
  /** How to create the evaluation sandbox. @default createSandbox (Docker) */
  readonly createSandbox?: (params: SandboxCreateParams) => Promise<Sandbox>;
}

const DEFAULT_SPLITS = { validate: 'validation', final: 'test' };
const DEFAULT_WORKSPACE = '/home/agent/workspace';
const DEFAULT_MAX_ARTIFACT_BYTES = 1024 ** 3;
const METRICS_FILE = '/run/labgym/metrics.json';
/**
 * Walls the evaluation off from the submitted code (which runs as `agent`): everything in the workspace is root's
 * and read-only to others, hidden/ and the metrics folder root-only.
 */
const WALL_SCRIPT = `ws=$1; mkdir -p "$ws/${HIDDEN_DIR}" && chown -R root:root "$ws" && chmod -R u+rwX,go+rX,go-w "$ws" && chmod 700 "$ws/${HIDDEN_DIR}" && install -d -m 700 -o root -g root ${posix.dirname(METRICS_FILE)}`;

/** Parse the last line of `output` that is a JSON object of numbers (MLGym's evaluators print exactly one). */
export function parseMetrics(output: string): Record<string, number> | undefined {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    const metrics = metricsFromJson(line.trim());
    if (metrics) return metrics;
  }
  return undefined;
}

function metricsFromJson(text: string): Record<string, number> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return numbers(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The finite numbers of a JSON object, or undefined when there are none. */
function numbers(value: unknown): Record<string, number> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const metrics = Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
  return Object.keys(metrics).length ? (metrics as Record<string, number>) : undefined;
}

export class SandboxEvaluator implements Evaluator {
  private hash: Promise<string> | undefined;

  constructor(private readonly config: SandboxEvaluatorConfig) {}

  /** The sandbox each evaluation starts in (from the pristine image, shell as root). */
  sandboxParams(): SandboxCreateParams {
    const config = this.config;
    return { image: config.image, limits: config.limits, gpus: config.gpus, shellUser: 'root', workdir: config.workspaceDir ?? DEFAULT_WORKSPACE };
  }

  /** The same evaluator, getting its sandboxes from `createSandbox` (a pool of pristine ones, say). */
  withCreateSandbox(createSandbox: (params: SandboxCreateParams) => Promise<Sandbox>): SandboxEvaluator {
    return new SandboxEvaluator({ ...this.config, createSandbox });
  }

  /** Hash of the image (which holds labgym_eval), environment (scale), command, evaluator and hidden files: scores from different evaluators are never mixed. */
  evaluatorHash(): Promise<string> {
    this.hash ??= (async () => {
      const env = Object.entries(this.config.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const hash = createHash('sha256').update(`${this.config.image}\0${JSON.stringify(env)}\0${this.config.command}\0${this.config.metricsFrom ?? 'file'}\0`);
      for (const [i, path] of this.config.files.entries()) await hashTree(hash, path, `files-${i}`);
      for (const [split, paths] of Object.entries(this.config.hidden ?? {}).sort()) {
        for (const [i, path] of paths.entries()) await hashTree(hash, path, `hidden-${split}-${i}`);
      }
      return hash.digest('hex').slice(0, 16);
    })();
    return this.hash;
  }

  /**
   * Score the submission on the kind's split, and (unless validate and final score the same split, MLGym's way)
   * on the other split too, each in its own fresh sandbox, concurrently. The other split's score is for the record
   * only: it goes to `otherSplit`, which the agent never sees.
   */
  async evaluate(params: EvaluationParams): Promise<EvaluationRecord> {
    const config = this.config;
    const started = performance.now();
    const splits = config.splits ?? DEFAULT_SPLITS;
    const split = params.kind === 'validate' ? splits.validate : splits.final;
    const other = splits.validate === splits.final ? undefined : params.kind === 'validate' ? splits.final : splits.validate;
    const collected = await collectSubmission(
      params.agentSandbox,
      config.workspaceDir ?? DEFAULT_WORKSPACE,
      config.artifacts,
      config.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
    );
    const submission = 'submission' in collected ? collected.submission : undefined;
    const refused: SplitOutcome = { failure: 'failure' in collected ? collected.failure : NOT_FOUND_FAILURE };
    const [primary, secondary] = submission
      ? await bothSettled(
          this.scoreSplit(split, submission, params.seed),
          other === undefined ? undefined : this.scoreSplit(other, submission, params.seed),
        ).finally(submission.dispose)
      : [refused, refused];
    const scored = this.splitScore(split, primary);
    return {
      kind: params.kind,
      split,
      metrics: scored.metrics,
      primaryMetric: config.primaryMetric,
      direction: config.direction,
      score: scored.score,
      baseline: config.baseline,
      improvement: scored.improvement,
      failure: scored.failure,
      durationMs: performance.now() - started,
      evaluatorHash: await this.evaluatorHash(),
      submission: submission?.path,
      ...(other !== undefined && secondary ? { otherSplit: this.splitScore(other, secondary) } : {}),
      ...(primary.sandboxId !== undefined ? { evaluationSandboxId: primary.sandboxId } : {}),
      agentSandboxId: params.agentSandbox.id,
    };
  }

  /** One split's outcome as a score: the primary metric and its normalised improvement over the baseline. */
  private splitScore(split: string, outcome: SplitOutcome): SplitScore {
    const config = this.config;
    const score = outcome.metrics?.[config.primaryMetric];
    const improvement = score !== undefined && config.baseline !== undefined ? normalizedImprovement(score, config.baseline, config.direction) : undefined;
    return {
      split,
      metrics: outcome.metrics ?? {},
      ...(score !== undefined ? { score } : {}),
      ...(improvement !== undefined ? { improvement } : {}),
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      ...(outcome.sandboxId !== undefined ? { evaluationSandboxId: outcome.sandboxId } : {}),
    };
  }

  /** Run the evaluation command on `split` in a fresh sandbox from the configured `createSandbox`. */
  private async scoreSplit(split: string, submission: Submission, seed = 0): Promise<SplitOutcome> {
    const config = this.config;
    const workspace = config.workspaceDir ?? DEFAULT_WORKSPACE;
    const sandbox = await (config.createSandbox ?? createSandbox)(this.sandboxParams());
    try {
      await sandbox.writeArchive(workspace, submission.open(), { owner: 'root' });
      for (const path of config.files) await sandbox.copyIn(path, workspace, { owner: 'root' });
      for (const path of config.hidden?.[split] ?? []) await sandbox.copyIn(path, `${workspace}/${HIDDEN_DIR}`, { owner: 'root' });
      const walled = await sandbox.run(['sh', '-c', WALL_SCRIPT, 'wall', workspace]);
      if (walled.exitCode !== 0) throw new Error(`preparing the evaluation sandbox failed: ${walled.stderr}`);
      const env = {
        ...config.env,
        LABGYM_SPLIT: split,
        LABGYM_SEED: String(seed),
        LABGYM_HIDDEN: `${workspace}/${HIDDEN_DIR}`,
        LABGYM_METRICS_FILE: METRICS_FILE,
        ...(config.callTimeoutMs !== undefined ? { LABGYM_CALL_TIMEOUT: String(config.callTimeoutMs / 1000) } : {}),
      };
      const exports = Object.entries(env).map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'`);
      const result = await sandbox.exec(`export ${exports.join(' ')}; ${config.command}`, {
        timeoutMs: config.timeoutMs ?? 30 * 60_000,
        outputLimitBytes: 100_000,
      });
      const report = (await sandbox.readFiles([METRICS_FILE])).get(METRICS_FILE)?.toString('utf8') ?? '';
      return { ...evaluationOutcome(result, report, config.metricsFrom ?? 'file'), sandboxId: sandbox.id };
    } finally {
      await sandbox.close();
    }
  }
}

/** What one split's evaluation produced, and the sandbox it ran in. */
interface SplitOutcome {
  readonly metrics?: Record<string, number>;
  readonly failure?: EvaluationFailure;
  readonly sandboxId?: string;
}

/**
 * What the evaluation reported in the root-only metrics file ({"metrics": …} or {"failure": "…"}, written by
 * labgym_eval), the only channel believed: the submission's code may print anything. MLGym tasks
 * (metrics_from: stdout) print their metrics; the output also goes into the format error when nothing was reported.
 */
function evaluationOutcome(result: ExecResult, report: string, metricsFrom: 'file' | 'stdout'): Omit<SplitOutcome, 'sandboxId'> {
  if (result.timedOut) return { failure: formatError(result, `The evaluation timed out (${result.timedOut}).\n`) };
  const reported = parseReport(report);
  if (typeof reported?.failure === 'string') return { failure: { type: 'evaluation_error', message: reported.failure } };
  const metrics = metricsFrom === 'stdout' ? parseMetrics(result.output) : numbers(reported?.metrics);
  return metrics ? { metrics } : { failure: formatError(result) };
}

function parseReport(text: string): { metrics?: unknown; failure?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** MLGym's format error: no metrics, with the evaluation's output. */
function formatError(result: ExecResult, why = ''): EvaluationFailure {
  return {
    type: 'evaluation_format_error',
    message: `${why}Failed to decode metrics from evaluation script. Output:\n---\n${result.output.trimEnd()}\n---\nPlease make sure the evaluation script prints the metrics in json format.`,
  };
}

/**
 * Both evaluations, run together. A backend outage is thrown (the episode is retried); any other error of the
 * other split only fails that split, since the agent never sees it and must not be ended by it.
 */
async function bothSettled(primary: Promise<SplitOutcome>, other: Promise<SplitOutcome> | undefined): Promise<[SplitOutcome, SplitOutcome | undefined]> {
  const [first, second] = await Promise.allSettled([primary, other]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'fulfilled') return [first.value, second.value];
  if (isSandboxUnavailable(second.reason)) throw second.reason;
  const message = second.reason instanceof Error ? `${second.reason.name}: ${second.reason.message}` : String(second.reason);
  return [first.value, { failure: { type: 'evaluation_error', message: `the other split could not be scored: ${message}` } }];
}
