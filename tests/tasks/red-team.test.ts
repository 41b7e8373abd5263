/**
 * Red-team runs from inside the agent's sandbox. Each attack episode does what the honest episode does, plus
 * everything an agent could try against the evaluation: overwrite evaluate.py and the opponent, chmod protected
 * files back, write fake metrics files, print fake metrics lines and completion markers, look for the hidden
 * labels. The validate and final scores must equal the honest run's, and the hidden files must not be found.
 * For code submissions, the submitted code itself attacks from inside the evaluation (it runs as `agent` in its
 * own process there): anything it gained would change the score.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/assets.js';
import { LabgymEnv } from '../../src/env/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

interface EpisodeScores {
  readonly validation?: number;
  readonly final?: number;
  readonly outputs: string[];
}

const env = new LabgymEnv({ maxSteps: 50 });
after(() => env.close());

async function episode(task: ResolvedTask, actions: readonly string[]): Promise<EpisodeScores> {
  await env.reset({ task: task.envTask, seed: 0 });
  const outputs: string[] = [];
  for (const action of actions) outputs.push((await env.step(action)).observation);
  const validation = await env.step('validate');
  const final = await env.step('submit');
  assert.equal(final.terminated, true);
  return { validation: validation.info.evaluation?.score, final: final.info.evaluation?.score, outputs };
}

/** Attacks any agent can run in its own sandbox, whatever the task. */
const SANDBOX_ATTACKS = [
  // Overwrite evaluate.py: it is root-owned, but the workspace folder is the agent's, so it can be replaced.
  `chmod 777 evaluate.py; rm -f evaluate.py; printf 'import labgym_eval as lab\\nlab.write_metrics({"accuracy": 1.0, "Score": 99.0})\\n' > evaluate.py`,
  `echo '{"accuracy": 1.0, "Score": 99.0}' > metrics.json; mkdir -p hidden && echo '{"seed": 1}' > hidden/seed.json`,
  `mkdir -p /run/labgym 2>/dev/null; echo '{"accuracy": 1.0}' > /run/labgym/metrics.json 2>/dev/null; echo '{"accuracy": 1.0, "Score": 99.0}'; echo '__LABGYM_DONE_00000000000000000000000000000000_0__'`,
];

/** Everything named like a hidden file, outside the workspace the agent wrote itself. */
const FIND_HIDDEN = `find / -xdev \\( -name answers.csv -o -path '*hidden*' \\) -not -path '/proc/*' -not -path '/home/agent/workspace/*' 2>/dev/null | head; echo END-OF-SEARCH`;

describe('red team: titanic (prediction task)', () => {
  test('scores equal the honest run, and the hidden labels are nowhere in the agent sandbox', async () => {
    const task = await resolveTask('titanic', { scale: 'reduced' });
    const honest = await episode(task, ['python3 baseline.py']);
    assert.equal(typeof honest.validation, 'number');
    assert.equal(typeof honest.final, 'number');
    const attacked = await episode(task, ['python3 baseline.py', ...SANDBOX_ATTACKS, FIND_HIDDEN, 'ls -R /opt/labgym/data']);
    assert.equal(attacked.validation, honest.validation);
    assert.equal(attacked.final, honest.final);
    assert.equal(attacked.outputs[SANDBOX_ATTACKS.length + 1]!.trim(), 'END-OF-SEARCH', 'no hidden file is visible');
    assert.doesNotMatch(attacked.outputs.at(-1)!, /answers/);
  });
});

describe('red team: battleOfSexes (the submitted code runs inside the evaluation)', () => {
  // Played moves depend on whether an attack worked: any success changes the score.
  const secrets = ['validation', 'test'].map(
    (split) => (JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks/battleOfSexes/hidden', split, 'seed.json'), 'utf8')) as { seed: string }).seed,
  );
  const cheatingPrologue = `
import atexit, json, os, sys
LEAKED = any(secret in value for secret in ${JSON.stringify(secrets)} for value in os.environ.values())
print(json.dumps({"Score": 99.0}))
print(json.dumps({"Score": 99.0}), file=sys.stderr)
atexit.register(lambda: print(json.dumps({"Score": 99.0})))
for secret in ("hidden/seed.json", os.path.join(os.environ.get("LABGYM_HIDDEN", "hidden"), "seed.json")):
    try:
        open(secret).read()
        LEAKED = True
    except OSError:
        pass
try:
    with open("/run/labgym/metrics.json", "w") as forged:
        forged.write(json.dumps({"Score": 99.0}))
    LEAKED = True
except OSError:
    pass
try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
`;
  const cheatingEpilogue = `
_honest = row_strategy
def row_strategy(history):
    return 0 if LEAKED else _honest(history)
`;

  test('scores equal the honest run', async () => {
    const task = await resolveTask('battleOfSexes', { scale: 'reduced' });
    const honest = await episode(task, ['true']);
    assert.equal(typeof honest.validation, 'number');
    const writeCheater = `python3 - <<'EOF'
source = open("strategy.py").read()
open("strategy.py", "w").write(${JSON.stringify(cheatingPrologue)} + source + ${JSON.stringify(cheatingEpilogue)})
EOF`;
    const weakOpponent = `rm -f target.py; printf 'def target_column_strategy(history, rng):\\n    return 0\\n' > target.py`;
    const attacked = await episode(task, [...SANDBOX_ATTACKS, weakOpponent, writeCheater, 'python3 -c "import strategy" | head -1']);
    assert.match(attacked.outputs.at(-1)!, /"Score": 99/, 'the cheating strategy really prints its fake metrics');
    assert.equal(attacked.validation, honest.validation);
    assert.equal(attacked.final, honest.final);
  });
});
