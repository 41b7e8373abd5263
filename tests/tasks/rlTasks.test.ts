/**
 * The RL tasks (mountainCarContinuous, metaMaze, breakoutMinAtar) evaluate a trained policy: the evaluator runs the
 * environment, the episode loop and the returns itself (labgym_eval.evaluate_rl), and the agent's network module
 * (served by labgym_eval.untrusted_policy as `agent`, in its own process) only maps observations to actions.
 * Checked on the cheapest task, mountainCarContinuous, with a hand-written "push along the velocity" policy instead
 * of a trained one: it beats the measured baseline of task.yaml, out-of-range forces are clipped and malformed
 * answers fail with a clear message; a policy that attacks the evaluation from its own process scores exactly what
 * it scores honestly; and one step of the dynamics in the task image matches the equations computed here. On
 * metaMaze (discrete actions), invalid actions and an unimportable network module fail with a clear message.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import type { EvaluationRecord } from '../../src/eval/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

const env = new LabgymEnv();
after(() => env.close());

/** src/networks.py whose policy pushes along the velocity with force `scale` (no training, any checkpoint file). */
function networks(scale: string, prologue = '', leakedForce = '0.0'): string {
  return `${prologue}
import numpy as np

def load_policy(path):
    def act(observations):
        if globals().get("LEAKED"):
            return np.full(len(observations), ${leakedForce})
        return ${scale} * np.where(observations[:, 1] >= 0, 1.0, -1.0)
    return act
`;
}

async function evaluate(task: ResolvedTask, networksPy: string, kind: 'validate' | 'submit' = 'validate'): Promise<EvaluationRecord> {
  await env.reset({ task: task.envTask, seed: 0 });
  const sandbox = env.currentSandbox!;
  await sandbox.writeFiles(
    '/home/agent/workspace',
    [
      { path: 'src/networks.py', content: networksPy },
      { path: 'checkpoints/heuristic.pt', content: 'not a real checkpoint\n' },
    ],
    { owner: 'agent' },
  );
  return task.evaluator.evaluate({ kind, agentSandbox: sandbox });
}

function hiddenSeeds(): string[] {
  return ['validation', 'test'].map((split) => String(JSON.parse(readFileSync(`tasks/mountainCarContinuous/hidden/${split}/seed.json`, 'utf8')).seed));
}

const CHEATING_PROLOGUE = `
import atexit, json, os, sys
print(json.dumps({"Reward Mean": 1000.0}))
os.write(1, b'{"Reward Mean": 1000.0}\\n')
atexit.register(lambda: os.write(1, b'{"Reward Mean": 1000.0}\\n'))
LEAKED = False
for secret in ("hidden/seed.json", os.path.join(os.environ.get("LABGYM_HIDDEN", "hidden"), "seed.json"),
               "/home/agent/workspace/hidden/seed.json"):
    try:
        open(secret).read()
        LEAKED = True
    except OSError:
        pass
if any(seed in value for seed in ${JSON.stringify(hiddenSeeds())} for value in os.environ.values()):
    LEAKED = True
for forged in ("/run/labgym/metrics.json", os.environ.get("LABGYM_METRICS_FILE", "/run/labgym/metrics.json")):
    try:
        with open(forged, "w") as f:
            f.write(json.dumps({"Reward Mean": 1000.0}))
        LEAKED = True
    except OSError:
        pass
try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
`;

describe('mountainCarContinuous: evaluation of a submitted policy', () => {
  let task: ResolvedTask;
  let honest: EvaluationRecord;
  before(async () => {
    task = await resolveTask('mountainCarContinuous', { scale: 'reduced' });
    honest = await evaluate(task, networks('1.0'));
  });

  test('the push-along-the-velocity policy beats the measured baseline by more than its tolerance', () => {
    assert.equal(typeof honest.score, 'number', honest.failure?.message);
    // The reduced-scale baseline and its tolerance as task.yaml states them (a trained policy that often never
    // reaches the goal); the heuristic reaches it in most episodes.
    const baseline = task.baseline;
    const tolerance = task.config.baseline_tolerance?.['Reward Mean'];
    assert.equal(typeof baseline, 'number', 'task.yaml states a reduced-scale baseline');
    assert.equal(typeof tolerance, 'number', 'task.yaml states a tolerance for Reward Mean');
    assert.ok(honest.score! > baseline! + tolerance!, `Reward Mean ${honest.score}, baseline ${baseline} ± ${tolerance}`);
    assert.ok(honest.metrics['Reward Std']! >= 0, `Reward Std ${honest.metrics['Reward Std']}`);
  });

  test('forces outside [-1, 1] are clipped: pushing with 5.0 scores what pushing with 1.0 scores', async () => {
    const strong = await evaluate(task, networks('5.0'));
    assert.equal(strong.score, honest.score);
  });

  test('non-numbers and wrong shapes fail the evaluation with a clear message and no score', async () => {
    const nan = await evaluate(task, networks('float("nan")'));
    assert.equal(nan.score, undefined);
    assert.match(nan.failure?.message ?? '', /not a finite number/);
    const shape = await evaluate(task, networks('1.0').replace('return act', 'return lambda observations: [[1.0, 1.0]] * len(observations)'));
    assert.equal(shape.score, undefined);
    assert.match(shape.failure?.message ?? '', /must return \d+ forces/);
    const missing = await evaluate(task, 'def something_else():\n    pass\n');
    assert.equal(missing.score, undefined);
    assert.match(missing.failure?.message ?? '', /load_policy/);
  });

  test('a policy that cheats from its own process gains nothing, and validation and test differ', async () => {
    const cheater = networks('1.0', CHEATING_PROLOGUE, '1.0');
    const attackedValidation = await evaluate(task, cheater, 'validate');
    assert.equal(attackedValidation.score, honest.score);
    const honestTest = await evaluate(task, networks('1.0'), 'submit');
    const attackedTest = await evaluate(task, cheater, 'submit');
    assert.equal(attackedTest.score, honestTest.score);
    assert.notEqual(honestTest.score, honest.score, 'validation and test use different hidden seeds');
  });

  test('one step of the dynamics in the task image matches the equations', async () => {
    await env.reset({ task: task.envTask, seed: 0 });
    const sandbox = env.currentSandbox!;
    const script = `
import json, sys
import numpy as np
sys.path.insert(0, "src")
from mountain_car import MountainCarContinuous, dynamics
env = MountainCarContinuous(3)
env.reset()
env.position[:] = [-0.5, -1.19, 0.44]
env.velocity[:] = [0.01, -0.05, 0.02]
obs, reward, done = env.step(np.array([0.7, -3.0, 1.0]))
# Car 2's step before the automatic restart, from the module's own equations.
p2, v2, goal2 = dynamics(np.array([0.44]), np.array([0.02]), np.array([1.0]))
print(json.dumps({"position": env.position.tolist(), "velocity": env.velocity.tolist(), "reward": reward.tolist(), "done": done.tolist(), "obs": obs.tolist(),
                  "car2": [float(p2[0]), float(v2[0]), bool(goal2[0])]}))
`;
    const result = await sandbox.exec(`python3 - <<'EOF'\n${script}\nEOF`, { timeoutMs: 60_000 });
    assert.equal(result.exitCode, 0, result.output);
    const out = JSON.parse(result.output.trim().split('\n').at(-1)!);
    // Car 0: v' = 0.01 + 0.7 * 0.0015 - cos(3 * -0.5) * 0.0025, p' = -0.5 + v'.
    const v0 = 0.01 + 0.7 * 0.0015 - Math.cos(-1.5) * 0.0025;
    assert.ok(Math.abs(out.velocity[0] - v0) < 1e-12);
    assert.ok(Math.abs(out.position[0] - (-0.5 + v0)) < 1e-12);
    assert.ok(Math.abs(out.reward[0] - -0.1 * 0.7 * 0.7) < 1e-12);
    assert.equal(out.done[0], false);
    // Car 1: the force is clipped to -1, the speed to -0.07, and the car stops at the left wall.
    assert.equal(out.position[1], -1.2);
    assert.equal(out.velocity[1], 0);
    assert.ok(Math.abs(out.reward[1] - -0.1) < 1e-12);
    // Car 2 reaches the goal (p' = 0.44 + v' >= 0.45): +100 less the force penalty, and the episode ends (it
    // restarts in [-0.6, -0.4]).
    const v2 = 0.02 + 0.0015 - Math.cos(1.32) * 0.0025;
    assert.ok(Math.abs(out.car2[1] - v2) < 1e-12);
    assert.ok(Math.abs(out.car2[0] - (0.44 + v2)) < 1e-12);
    assert.ok(out.car2[0] >= 0.45);
    assert.equal(out.car2[2], true);
    assert.ok(Math.abs(out.reward[2] - (100 - 0.1)) < 1e-12);
    assert.equal(out.done[2], true);
    assert.ok(out.obs[2][0] >= -0.6 && out.obs[2][0] <= -0.4 && out.obs[2][1] === 0);
    const same = await sandbox.exec('cmp src/mountain_car.py mountain_car.py && echo SAME', { timeoutMs: 30_000 });
    assert.match(same.output, /SAME/);
  });
});

describe('metaMaze: discrete actions', () => {
  test('an action outside 0-3 and a network module that does not import fail with a clear message and no score', async () => {
    const task = await resolveTask('metaMaze', { scale: 'reduced' });
    const invalid = await evaluate(task, 'import numpy as np\n\ndef load_policy(path):\n    return lambda observations: np.full(len(observations), 4)\n');
    assert.equal(invalid.score, undefined);
    assert.deepEqual(invalid.metrics, {});
    assert.match(invalid.failure?.message ?? '', /act returned an invalid action 4\.0; actions are integers 0\.\.3/);
    const broken = await evaluate(task, 'import not_a_module_here\n');
    assert.equal(broken.score, undefined);
    assert.match(broken.failure?.message ?? '', /loading src\/networks\.py raised ModuleNotFoundError/);
  });
});
