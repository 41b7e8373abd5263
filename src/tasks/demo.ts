/**
 * The demo episode: a fixed sequence of actions on the numberGuess task (tasks/numberGuess), through the real
 * sandbox, ACI and evaluator: the environment end to end, with no model.
 */

import { type EnvTask, LabgymEnv, type StepResult } from '../env/index.js';
import { taskOnImage } from './resolve.js';

/** The demo task from the catalog (tasks/numberGuess), on any image: it needs no dataset and no task image. */
export function numberGuessTask(image: string): EnvTask {
  return taskOnImage('numberGuess', image).envTask;
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
