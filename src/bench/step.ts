/**
 * `labgym bench step`: the cost of one environment step against the alternatives, measured side by side in one
 * run: env.step("true") through the persistent shell against the backend's bare costs: a fresh exec of `true`
 * (a harness without a persistent shell) and a bare sandbox start (a harness without a warm one); and the proven
 * reset that recycles a warm sandbox (wipeSandbox, after an agent left a process and files behind).
 */

import { aci, type EnvTask, fillWorkspace, LabgymEnv, wipeSandbox } from '../env/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { Evaluator } from '../eval/index.js';
import { sandboxBackend } from '../sandbox/index.js';
import { percentile, timeEach } from './stats.js';

export interface StepBenchParams {
  readonly image: string;
  readonly steps: number;
  readonly execs: number;
  readonly containers: number;
  /** Proven warm resets to time. @default 10 */
  readonly resets?: number;
}

export interface StepBenchResult {
  readonly image: string;
  readonly stepP50Ms: number;
  readonly stepP95Ms: number;
  readonly freshExecP50Ms: number;
  /** stepP50Ms / freshExecP50Ms (goal ≤ 0.25). */
  readonly stepToExecRatio: number;
  readonly containerCreateStartP50Ms: number;
  /** A whole labgym sandbox: container, lifeline and both shells (then closed; the close is included). */
  readonly sandboxCreateP50Ms: number;
  /** A warm sandbox's reset with its proof (kill, wipe, proof, fresh shell; goal p50 ≤ 1000). */
  readonly resetP50Ms: number;
  readonly resetP90Ms: number;
  readonly samples: { readonly steps: number; readonly execs: number; readonly containers: number; readonly resets: number };
}

const unused: Evaluator = {
  evaluate: () => Promise.reject(new Error('the step benchmark never evaluates')),
};

export async function benchStep(params: StepBenchParams): Promise<StepBenchResult> {
  const backend = await sandboxBackend();
  if (!backend.bareOperations) throw new InvalidArgumentError(`bench step: the ${backend.name} backend has no bare operations to compare with`);
  const task: EnvTask = { id: 'bench', image: params.image, description: 'bench', workspace: [], evaluator: unused };
  const env = new LabgymEnv({ maxSteps: Number.MAX_SAFE_INTEGER });
  const sandbox = await backend.create({ image: params.image });
  try {
    await env.reset({ task });
    await timeEach(10, () => env.step('true'));
    const steps = await timeEach(params.steps, () => env.step('true'));
    const bare = backend.bareOperations(sandbox);
    await timeEach(5, bare.freshExec);
    const execs = await timeEach(params.execs, bare.freshExec);
    const removals: (() => Promise<void>)[] = [];
    let starts: number[];
    try {
      starts = await timeEach(params.containers, async () => removals.push(await bare.bareStart()));
    } finally {
      await Promise.all(removals.map((remove) => remove()));
    }
    const sandboxes = await timeEach(params.containers, async () => (await backend.create({ image: params.image })).close());
    await fillWorkspace(sandbox, task);
    await aci.installAci(sandbox);
    const resets: number[] = [];
    for (let i = 0; i < (params.resets ?? 10); i++) {
      await sandbox.exec('(sh -c "while :; do sleep 1; done" &); echo left > ~/workspace/left.txt; touch ~/.bashrc /tmp/left /dev/shm/left');
      resets.push((await wipeSandbox(sandbox)).durationMs);
    }
    return {
      image: params.image,
      stepP50Ms: percentile(steps, 50),
      stepP95Ms: percentile(steps, 95),
      freshExecP50Ms: percentile(execs, 50),
      stepToExecRatio: percentile(steps, 50) / percentile(execs, 50),
      containerCreateStartP50Ms: percentile(starts, 50),
      sandboxCreateP50Ms: percentile(sandboxes, 50),
      resetP50Ms: percentile(resets, 50),
      resetP90Ms: percentile(resets, 90),
      samples: { steps: steps.length, execs: execs.length, containers: starts.length, resets: resets.length },
    };
  } finally {
    await sandbox.close();
    await env.close();
  }
}
