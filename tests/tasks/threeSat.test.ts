/**
 * threeSat: the evaluator runs the DPLL solver itself and asks the submitted heuristic (its own process, as
 * `agent`) for each decision, so the heuristic is the attacker here. An invalid decision, a crash, a hang or a
 * process that quits fails the evaluation with a clear message and no score. A heuristic that attacks the
 * evaluation from inside its process (patches solver.py there, prints and forges metrics, reads the hidden
 * instances, asks pycosat for a satisfying assignment) scores exactly what the same heuristic scores without the
 * attack; the heuristic plays differently if any attack worked, so success shows. A real heuristic
 * (Jeroslow-Wang) needs far fewer decisions than the random starter.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import type { EvaluationRecord } from '../../src/eval/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

const env = new LabgymEnv();
after(() => env.close());

let task: ResolvedTask;
before(async () => {
  task = await resolveTask('threeSat', { scale: 'reduced' });
});

async function evaluate(heuristic: string, kind: 'validate' | 'submit' = 'validate'): Promise<EvaluationRecord> {
  await env.reset({ task: task.envTask, seed: 0 });
  const sandbox = env.currentSandbox!;
  await sandbox.writeFiles('/home/agent/workspace', [{ path: 'heuristic.py', content: heuristic }], { owner: 'agent' });
  return task.evaluator.evaluate({ kind, agentSandbox: sandbox });
}

function assertFails(record: EvaluationRecord, message: RegExp): void {
  assert.equal(record.score, undefined, 'no score for an invalid heuristic');
  assert.deepEqual(record.metrics, {});
  assert.match(record.failure?.message ?? '', message);
}

/** The metrics that do not depend on the machine (Time does). */
function deterministic(record: EvaluationRecord): Record<string, number | undefined> {
  assert.equal(record.failure, undefined, record.failure?.message);
  const { Decisions, Correct, Incorrect } = record.metrics;
  return { Decisions, Correct, Incorrect };
}

const STARTER = readFileSync('tasks/threeSat/workspace/heuristic.py', 'utf8');

const JEROSLOW_WANG = `
def heuristic_fn(clauses, assignments, conflict_count, assignment_history, level):
    score = {}
    for clause in clauses:
        for literal in clause:
            score[literal] = score.get(literal, 0.0) + 2.0 ** -len(clause)
    best = max(score, key=lambda literal: (score[literal] + score.get(-literal, 0.0), score[literal]))
    return abs(best), best > 0
`;

// Everything a heuristic could try from its own process. It switches to a different (wrong-footed) choice as
// soon as any attack works, so a success changes Decisions.
const CHEATER = `
import atexit, glob, json, os
FAKE = {"Decisions": 0, "Time": 0.0, "Correct": 30, "Incorrect": 0}
print(json.dumps(FAKE))
os.write(1, (json.dumps(FAKE) + "\\n").encode())
atexit.register(lambda: print(json.dumps(FAKE)))
LEAKED = False
for secret in glob.glob("hidden/*") + glob.glob(os.path.join(os.environ.get("LABGYM_HIDDEN", "hidden"), "*")) + ["hidden/instances.json"]:
    try:
        open(secret).read()
        LEAKED = True
    except OSError:
        pass
for forged in ("/run/labgym/metrics.json", os.environ.get("LABGYM_METRICS_FILE", "/run/labgym/metrics.json")):
    try:
        with open(forged, "w") as f:
            f.write(json.dumps(FAKE))
        LEAKED = True
    except OSError:
        pass
try:  # patch the solver in this process: every formula satisfied at once, any choice accepted
    import solver
    solver.DPLL.satisfied = lambda self: True
    solver.DPLL.check_choice = lambda self, choice: None
    def _done(self):
        return True
        yield
    solver.DPLL.search = _done
except Exception:
    pass
try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
${STARTER}
_honest = heuristic_fn

def heuristic_fn(clauses, assignments, conflict_count, assignment_history, level):
    try:  # an oracle: follow a satisfying assignment of what is left
        import pycosat
        model = pycosat.solve(clauses)
        if isinstance(model, list):
            wanted = {abs(literal) for clause in clauses for literal in clause}
            literal = next(literal for literal in model if abs(literal) in wanted)
            return abs(literal), literal > 0
    except Exception:
        pass
    if LEAKED:
        return next(abs(literal) for clause in clauses for literal in clause), False
    return _honest(clauses, assignments, conflict_count, assignment_history, level)
`;

describe('threeSat', () => {
  test('honest runs: validation and test differ, and Jeroslow-Wang needs far fewer decisions than the random starter', async () => {
    const validation = await evaluate(STARTER);
    const final = await evaluate(STARTER, 'submit');
    assert.equal(validation.metrics.Incorrect, 0);
    assert.equal(validation.metrics.Correct, 30);
    assert.notEqual(validation.score, final.score, 'validation and test use different instances');
    const better = [await evaluate(JEROSLOW_WANG), await evaluate(JEROSLOW_WANG, 'submit')];
    assert.equal(better[0]!.failure, undefined, better[0]!.failure?.message);
    assert.ok(better[0]!.score! < validation.score! / 3, `Jeroslow-Wang ${better[0]!.score} vs random ${validation.score} (validation)`);
    assert.ok(better[1]!.score! < final.score! / 3, `Jeroslow-Wang ${better[1]!.score} vs random ${final.score} (test)`);
    assert.equal(better[0]!.metrics.Correct, 30);
  });

  test('a heuristic attacking the evaluation from inside its process scores exactly as without the attack', async () => {
    const honest = [await evaluate(STARTER), await evaluate(STARTER, 'submit')];
    const attacked = [await evaluate(CHEATER), await evaluate(CHEATER, 'submit')];
    assert.deepEqual(attacked.map(deterministic), honest.map(deterministic));
  });

  test('invalid decisions, crashes, hangs and quitting fail the evaluation with a clear message and no score', async () => {
    const returning = (body: string) => `def heuristic_fn(clauses, assignments, conflict_count, assignment_history, level):\n${body}\n`;
    assertFails(
      await evaluate(returning('    return (next(iter(assignments)) if assignments else abs(clauses[0][0])), True')),
      /invalid decision on instance validation-0000: variable \d+ is already assigned/,
    );
    assertFails(await evaluate(returning('    return 0, True')), /the variable must be an int in 1\.\.30, got 0/);
    assertFails(
      await evaluate(returning('    return None, True')),
      /with an int variable and a bool value; on instance validation-0000 it returned \(None, True\)/,
    );
    assertFails(await evaluate(returning('    return abs(clauses[0][0]), 1')), /it returned \(\d+, 1\)/);
    assertFails(await evaluate(returning('    raise ValueError("no idea")')), /calling decide raised ValueError: no idea/);
    assertFails(await evaluate(returning('    import os\n    os._exit(0)')), /the submission's process ended while calling decide/);
    assertFails(await evaluate(returning('    while True:\n        pass')), /calling decide took longer than 10 s/);
    assertFails(await evaluate('import nothing_here\n'), /loading heuristic_runner\.py raised ModuleNotFoundError/);
  });
});
