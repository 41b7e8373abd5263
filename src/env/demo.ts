/**
 * The demo episode: a fixed sequence of actions on the numberGuess task (tasks/numberGuess), through the real
 * sandbox, ACI and evaluator. It shows the environment end to end until the scripted policy arrives.
 */

import { PROJECT_ROOT } from '../assets.js';
import { SandboxEvaluator } from '../eval/index.js';
import { LabgymEnv, type StepResult } from './env.js';
import type { EnvTask } from './task.js';

export function numberGuessTask(image: string): EnvTask {
  const root = `${PROJECT_ROOT}tasks/numberGuess/`;
  return {
    id: 'numberGuess',
    image,
    description: 'Guess the hidden number: write your guess to submission.txt (guess.py does it). Score: minus the distance.',
    workspace: [{ hostPath: `${root}workspace/guess.py` }, { hostPath: `${root}workspace/evaluate.py`, readOnly: true }],
    evaluator: new SandboxEvaluator({
      image,
      artifacts: ['submission.txt'],
      files: [`${root}evaluator`],
      hidden: { validation: [`${root}hidden/validation`], test: [`${root}hidden/test`] },
      command: 'python3 evaluate.py',
      metricsFrom: 'stdout',
      primaryMetric: 'score',
      direction: 'maximize',
      baseline: -10,
      timeoutMs: 120_000,
    }),
  };
}

const DEMO_ACTIONS = [
  'ls',
  'open guess.py',
  'python3 guess.py && cat submission.txt',
  'validate',
  'edit 1:1\nGUESS = 9\nend_of_edit',
  'python3 guess.py',
  'validate',
  'str_replace guess.py\nGUESS = 9\nreplace_with\nGUESS = 11\nend_of_str_replace',
  'python3 guess.py',
  'validate',
  'submit',
];

export interface DemoStep {
  readonly action: string;
  readonly result: StepResult;
}

/** Run the demo episode; `onStep` sees each step as it happens. */
export async function runDemoEpisode(image: string, onStep: (step: DemoStep) => void = () => {}): Promise<DemoStep[]> {
  const env = new LabgymEnv({ maxSteps: DEMO_ACTIONS.length });
  const steps: DemoStep[] = [];
  try {
    await env.reset({ task: numberGuessTask(image), seed: 0 });
    for (const action of DEMO_ACTIONS) {
      const result = await env.step(action);
      steps.push({ action, result });
      onStep({ action, result });
      if (result.terminated || result.truncated) break;
    }
    return steps;
  } finally {
    await env.close();
  }
}
