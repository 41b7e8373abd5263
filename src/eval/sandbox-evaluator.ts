/**
 * Scores a submission in a fresh sandbox from the task's pristine image: the declared artifacts are copied out
 * of the agent's sandbox, the evaluator's own files and the labels of the split being scored are put in
 * root-owned, the evaluation command runs, and its last JSON line is the metrics. Nothing the agent changed in
 * its own sandbox (evaluate.py, opponents, helpers) takes part.
 */

import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createSandbox, type Sandbox, type SandboxCreateParams, type SandboxLimitsInput } from '../sandbox/index.js';
import type { EvaluationFailure, EvaluationParams, EvaluationRecord, Evaluator, MetricDirection } from './evaluator.js';
import { normalizedImprovement } from './evaluator.js';

export interface SandboxEvaluatorConfig {
  /** The task's pristine image. */
  readonly image: string;
  /** Files the agent must produce, relative to its workspace. */
  readonly artifacts: readonly string[];
  /** Host folder whose contents (evaluate.py, opponents, solvers) are put into the evaluation workspace. */
  readonly evaluatorDir: string;
  /** Host folder per split holding files only the evaluator sees (labels); copied to `hidden/`. */
  readonly hiddenDirs?: Readonly<Record<string, string>>;
  /** Shell command run in the evaluation workspace; it prints one JSON object of metrics. */
  readonly command: string;
  readonly primaryMetric: string;
  readonly direction: MetricDirection;
  readonly baseline?: number;
  /** Split scored by validate and by the final evaluation. MLGym scored the test split for both. */
  readonly splits?: { readonly validate: string; readonly final: string };
  readonly timeoutMs?: number;
  readonly limits?: SandboxLimitsInput;
  readonly workspaceDir?: string;
  /** How to create the evaluation sandbox. @default createSandbox (Docker) */
  readonly createSandbox?: (params: SandboxCreateParams) => Promise<Sandbox>;
}

const DEFAULT_SPLITS = { validate: 'validation', final: 'test' };

async function hashTree(hash: ReturnType<typeof createHash>, path: string, name: string): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const child of (await readdir(path)).sort()) await hashTree(hash, join(path, child), `${name}/${child}`);
  } else {
    hash.update(`${name}\0${info.mode & 0o777}\0`).update(await readFile(path)).update('\0');
  }
}

/** Parse the last line of `output` that is a JSON object of numbers (MLGym's evaluators print exactly one). */
export function parseMetrics(output: string): Record<string, number> | undefined {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const metrics = Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
        if (Object.keys(metrics).length) return metrics as Record<string, number>;
      }
    } catch {
      // not JSON: keep looking upwards
    }
  }
  return undefined;
}

export class SandboxEvaluator implements Evaluator {
  private hash: Promise<string> | undefined;

  constructor(private readonly config: SandboxEvaluatorConfig) {}

  evaluatorHash(): Promise<string> {
    this.hash ??= (async () => {
      const hash = createHash('sha256').update(this.config.command).update('\0');
      await hashTree(hash, this.config.evaluatorDir, 'evaluator');
      for (const [split, dir] of Object.entries(this.config.hiddenDirs ?? {}).sort()) await hashTree(hash, dir, `hidden-${split}`);
      return hash.digest('hex').slice(0, 16);
    })();
    return this.hash;
  }

  async evaluate(params: EvaluationParams): Promise<EvaluationRecord> {
    const config = this.config;
    const started = performance.now();
    const splits = config.splits ?? DEFAULT_SPLITS;
    const split = params.kind === 'validate' ? splits.validate : splits.final;
    const workspace = config.workspaceDir ?? '/home/agent/workspace';
    const record = (fields: { metrics?: Record<string, number>; failure?: EvaluationFailure }): Promise<EvaluationRecord> =>
      this.evaluatorHash().then((evaluatorHash) => {
        const score = fields.metrics?.[config.primaryMetric];
        return {
          kind: params.kind,
          split,
          metrics: fields.metrics ?? {},
          primaryMetric: config.primaryMetric,
          direction: config.direction,
          score,
          baseline: config.baseline,
          improvement:
            score !== undefined && config.baseline !== undefined
              ? normalizedImprovement(score, config.baseline, config.direction)
              : undefined,
          failure: fields.failure,
          durationMs: performance.now() - started,
          evaluatorHash,
          submission: config.artifacts[0] === undefined ? undefined : posix.join(workspace, config.artifacts[0]),
        };
      });

    const wanted = config.artifacts.map((artifact) => posix.join(workspace, artifact));
    const found = await params.agentSandbox.readFiles(wanted);
    const missing = config.artifacts.filter((_, i) => !found.has(wanted[i]!));
    if (missing.length) {
      return record({
        failure: {
          type: 'submission_not_found',
          message:
            'Submission artefact not found. You have to produce a valid submission artefact as described in the task description to validate your results.',
        },
      });
    }

    const sandbox = await (config.createSandbox ?? createSandbox)({ image: config.image, limits: config.limits });
    try {
      await sandbox.copyIn(config.evaluatorDir, workspace, { owner: 'root' });
      await sandbox.writeFiles(
        workspace,
        config.artifacts.map((artifact, i) => ({ path: artifact, content: found.get(wanted[i]!)! })),
        { owner: 'agent' },
      );
      const hidden = config.hiddenDirs?.[split];
      if (hidden) await sandbox.copyIn(hidden, `${workspace}/hidden`, { owner: 'root' });
      const seed = params.seed ?? 0;
      const result = await sandbox.exec(`export LABGYM_SPLIT=${split} LABGYM_SEED=${seed}; ${config.command}`, {
        timeoutMs: config.timeoutMs ?? 30 * 60_000,
        outputLimitBytes: 1_000_000,
      });
      const metrics = parseMetrics(result.output);
      if (!metrics || result.timedOut) {
        return record({
          failure: {
            type: 'evaluation_format_error',
            message: `Failed to decode metrics from evaluation script. Output:\n---\n${result.output}\n---\nPlease make sure the evaluation script prints the metrics in json format.`,
          },
        });
      }
      return record({ metrics });
    } finally {
      await sandbox.close();
    }
  }
}
