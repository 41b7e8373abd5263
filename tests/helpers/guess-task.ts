/** A tiny task for environment tests: guess a hidden number; the score is minus the distance to it. */
import { SandboxEvaluator } from '../../src/eval/index.js';
import type { EnvTask } from '../../src/env/index.js';
import { TEST_IMAGE } from './images.js';

const root = new URL('../fixtures/tasks/guess/', import.meta.url).pathname;

export function guessTask(overrides: Partial<EnvTask> = {}): EnvTask {
  return {
    id: 'guess',
    image: TEST_IMAGE,
    description: 'Write your guess of the hidden number to submission.txt (guess.py does it).',
    workspace: [
      { hostPath: `${root}workspace/guess.py` },
      { hostPath: `${root}workspace/evaluate.py`, readOnly: true },
    ],
    evaluator: new SandboxEvaluator({
      image: TEST_IMAGE,
      artifacts: ['submission.txt'],
      evaluatorDir: `${root}evaluator`,
      hiddenDirs: { validation: `${root}hidden/validation`, test: `${root}hidden/test` },
      command: 'python3 evaluate.py',
      primaryMetric: 'score',
      direction: 'maximize',
      baseline: -10,
      timeoutMs: 60_000,
    }),
    ...overrides,
  };
}
