/**
 * prisonersDilemma and blotto: the submitted strategy runs inside the evaluation (as `agent`, in its own process),
 * so it is the attacker here. An invalid move fails the evaluation with a clear message and no score; a strategy
 * that attacks the evaluation from inside its process (reads the hidden seed, looks for it in its environment,
 * forges the metrics file, prints fake metrics now and at exit, kills its parent) scores exactly what the same
 * strategy scores without the attack. The strategy plays differently if any attack worked, so success shows.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import type { EvaluationRecord } from '../../src/eval/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

const env = new LabgymEnv();
after(() => env.close());

async function evaluate(task: ResolvedTask, strategy: string, kind: 'validate' | 'submit' = 'validate'): Promise<EvaluationRecord> {
  await env.reset({ task: task.envTask, seed: 0 });
  const sandbox = env.currentSandbox!;
  await sandbox.writeFiles('/home/agent/workspace', [{ path: 'strategy.py', content: strategy }], { owner: 'agent' });
  return task.evaluator.evaluate({ kind, agentSandbox: sandbox });
}

function assertFails(record: EvaluationRecord, message: RegExp): void {
  assert.equal(record.score, undefined, 'no score for an invalid strategy');
  assert.deepEqual(record.metrics, {});
  assert.match(record.failure?.message ?? '', message);
}

/** The hidden seeds of both splits: the strategy checks that none of them reaches its environment. */
function hiddenSeeds(id: string): string[] {
  return ['validation', 'test'].map((split) => String(JSON.parse(readFileSync(`tasks/${id}/hidden/${split}/seed.json`, 'utf8')).seed));
}

function cheatingPrologue(seeds: string[]): string {
  return `
import atexit, json, os, sys
print(json.dumps({"Score": 99.0}))
os.write(1, b'{"Score": 99.0}\\n')
atexit.register(lambda: print(json.dumps({"Score": 99.0})))
atexit.register(lambda: os.write(1, b'{"Score": 99.0}\\n'))
LEAKED = False
for secret in ("hidden/seed.json", os.path.join(os.environ.get("LABGYM_HIDDEN", "hidden"), "seed.json"),
               "/home/agent/workspace/hidden/seed.json"):
    try:
        open(secret).read()
        LEAKED = True
    except OSError:
        pass
if any(seed in value for seed in ${JSON.stringify(seeds)} for value in os.environ.values()):
    LEAKED = True
for forged in ("/run/labgym/metrics.json", os.environ.get("LABGYM_METRICS_FILE", "/run/labgym/metrics.json")):
    try:
        with open(forged, "w") as f:
            f.write(json.dumps({"Score": 99.0}))
        LEAKED = True
    except OSError:
        pass
try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
`;
}

function cheater(id: string, honest: string, leakedMove: string): string {
  return `${cheatingPrologue(hiddenSeeds(id))}\n${honest}\n
_honest = row_strategy
def row_strategy(history):
    return ${leakedMove} if LEAKED else _honest(history)
`;
}

const STARTER = {
  prisonersDilemma: readFileSync('tasks/prisonersDilemma/workspace/strategy.py', 'utf8'),
  blotto: readFileSync('tasks/blotto/workspace/strategy.py', 'utf8'),
};

describe('prisonersDilemma', () => {
  test('an invalid move fails the evaluation with a clear message and no score', async () => {
    const task = await resolveTask('prisonersDilemma', { scale: 'reduced' });
    assertFails(
      await evaluate(task, 'def row_strategy(history):\n    return 2 if history else 0\n'),
      /row_strategy must return 0 \(cooperate\) or 1 \(defect\), got 2/,
    );
    assertFails(await evaluate(task, 'def row_strategy(history):\n    return "C"\n'), /got 'C'/);
    assertFails(await evaluate(task, 'def row_strategy(history):\n    raise ValueError("no idea")\n'), /calling row_strategy raised ValueError: no idea/);
  });

  test('a strategy attacking the evaluation from inside scores exactly as without the attack', async () => {
    const task = await resolveTask('prisonersDilemma', { scale: 'reduced' });
    const honest = [await evaluate(task, STARTER.prisonersDilemma), await evaluate(task, STARTER.prisonersDilemma, 'submit')];
    const source = cheater('prisonersDilemma', STARTER.prisonersDilemma, '1');
    const attacked = [await evaluate(task, source), await evaluate(task, source, 'submit')];
    for (const record of [...honest, ...attacked]) assert.equal(record.failure, undefined, record.failure?.message);
    assert.notEqual(honest[0]!.score, honest[1]!.score, 'validation and test use different seeds');
    assert.deepEqual(
      attacked.map((record) => record.metrics),
      honest.map((record) => record.metrics),
    );
  });
});

describe('blotto', () => {
  test('an invalid allocation fails the evaluation with a clear message and no score', async () => {
    const task = await resolveTask('blotto', { scale: 'reduced' });
    const returning = (value: string) => `def row_strategy(history):\n    return ${value}\n`;
    assertFails(await evaluate(task, returning('[20, 20, 20, 20, 20, 19]')), /must allocate exactly 120 soldiers, got \[20, 20, 20, 20, 20, 19\] \(sum 119\)/);
    assertFails(await evaluate(task, returning('[140, -20, 0, 0, 0, 0]')), /must return non-negative integers/);
    assertFails(await evaluate(task, returning('[20.0] * 6')), /must return non-negative integers \(use int\(\), not floats/);
    assertFails(await evaluate(task, returning('[30, 30, 30, 30]')), /must return a list of 6 integers, got \[30, 30, 30, 30\]/);
  });

  test('a strategy attacking the evaluation from inside scores exactly as without the attack', async () => {
    const task = await resolveTask('blotto', { scale: 'reduced' });
    const honest = [await evaluate(task, STARTER.blotto), await evaluate(task, STARTER.blotto, 'submit')];
    const source = cheater('blotto', STARTER.blotto, '[120, 0, 0, 0, 0, 0]');
    const attacked = [await evaluate(task, source), await evaluate(task, source, 'submit')];
    for (const record of [...honest, ...attacked]) assert.equal(record.failure, undefined, record.failure?.message);
    assert.notEqual(honest[0]!.score, honest[1]!.score, 'validation and test use different seeds');
    assert.deepEqual(
      attacked.map((record) => record.metrics),
      honest.map((record) => record.metrics),
    );
  });
});
