/**
 * `labgym bench step`: the cost of one environment step against the alternatives, measured side by side in one
 * run: env.step("true") through the persistent shell, a fresh dockerode exec of `true` (what a harness without
 * a persistent shell pays), and container create+start (what a harness without a warm container pays).
 */

import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { LabgymEnv, type EnvTask } from '../env/index.js';
import type { Evaluator } from '../eval/index.js';
import { LABELS, createSandbox, dockerClient } from '../sandbox/index.js';
import { percentile, timeEach } from './stats.js';

export interface StepBenchParams {
  readonly image: string;
  readonly steps: number;
  readonly execs: number;
  readonly containers: number;
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
  readonly samples: { readonly steps: number; readonly execs: number; readonly containers: number };
}

const unused: Evaluator = {
  evaluate: () => Promise.reject(new Error('the step benchmark never evaluates')),
};

export async function benchStep(params: StepBenchParams): Promise<StepBenchResult> {
  const docker = dockerClient();
  const task: EnvTask = { id: 'bench', image: params.image, description: 'bench', workspace: [], evaluator: unused };
  const env = new LabgymEnv({ maxSteps: Number.MAX_SAFE_INTEGER });
  const sandbox = await createSandbox({ image: params.image });
  try {
    await env.reset({ task });
    const container = docker.getContainer(sandbox.id);
    const freshExec = async () => {
      const exec = await container.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
      const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
      stream.resume();
      await new Promise((resolve) => stream.on('end', resolve).on('close', resolve));
      await exec.inspect();
    };
    await timeEach(10, () => env.step('true'));
    await timeEach(5, freshExec);
    const steps = await timeEach(params.steps, () => env.step('true'));
    const execs = await timeEach(params.execs, freshExec);
    const started: Docker.Container[] = [];
    let containers: number[];
    try {
      containers = await timeEach(params.containers, async () => {
        const container = await docker.createContainer({
          Image: params.image,
          Cmd: ['sleep', 'infinity'],
          HostConfig: { NetworkMode: 'none' },
          Labels: { [LABELS.sandbox]: '1', [LABELS.ownerPid]: String(process.pid), [LABELS.ownerHost]: hostname() },
        });
        started.push(container);
        await container.start();
      });
    } finally {
      await Promise.all(started.map((container) => container.remove({ force: true })));
    }
    const sandboxes = await timeEach(params.containers, async () => (await createSandbox({ image: params.image })).close());
    return {
      image: params.image,
      stepP50Ms: percentile(steps, 50),
      stepP95Ms: percentile(steps, 95),
      freshExecP50Ms: percentile(execs, 50),
      stepToExecRatio: percentile(steps, 50) / percentile(execs, 50),
      containerCreateStartP50Ms: percentile(containers, 50),
      sandboxCreateP50Ms: percentile(sandboxes, 50),
      samples: { steps: steps.length, execs: execs.length, containers: containers.length },
    };
  } finally {
    await sandbox.close();
    await env.close();
  }
}
