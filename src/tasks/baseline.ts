/**
 * Run a task's baseline end to end, as an agent would: a fresh episode workspace, the baseline script run in
 * the agent's shell, then the validation and the held-out test evaluation in their own sandboxes.
 */

import { LabgymEnv } from '../env/index.js';
import type { EvaluationRecord } from '../eval/index.js';
import type { ResolvedTask } from './resolve.js';

export interface BaselineRun {
  readonly task: string;
  readonly scale: string;
  readonly command: string;
  readonly exitCode: number;
  readonly trainingMs: number;
  /** The end of the baseline script's output. */
  readonly outputTail: string;
  readonly validation: EvaluationRecord;
  readonly test: EvaluationRecord;
}

export async function runBaseline(task: ResolvedTask, options: { readonly seed?: number } = {}): Promise<BaselineRun> {
  // Without a baseline script (game tasks), the starter code itself is the baseline submission.
  const script = task.config.baseline_paths[0];
  const command = script ? `python3 ${script}` : 'true';
  const env = new LabgymEnv();
  try {
    await env.reset({ task: task.envTask, seed: options.seed ?? 0 });
    const sandbox = env.currentSandbox!;
    const result = await sandbox.exec(command, { timeoutMs: task.config.training_timeout * 1000, outputLimitBytes: 20_000 });
    const validation = await task.evaluator.evaluate({ kind: 'validate', agentSandbox: sandbox, seed: options.seed });
    const test = await task.evaluator.evaluate({ kind: 'submit', agentSandbox: sandbox, seed: options.seed });
    return {
      task: task.ref,
      scale: task.scale,
      command,
      exitCode: result.exitCode,
      trainingMs: Math.round(result.durationMs),
      outputTail: result.output.trim().split('\n').slice(-10).join('\n'),
      validation,
      test,
    };
  } finally {
    await env.close();
  }
}
