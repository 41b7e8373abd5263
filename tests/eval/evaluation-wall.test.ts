/**
 * The evaluation is walled off from the submitted code, on battleOfSexes (the strategy runs inside the
 * evaluation, as `agent`). Each attack of the red team's report either changes nothing (the score equals the
 * honest run's: the strategy plays differently if an attack worked) or ends in a clean one-line failure.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import { type EvaluationRecord, SandboxEvaluator } from '../../src/eval/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

const WORKSPACE = '/home/agent/workspace';
const STARTER = readFileSync('tasks/battleOfSexes/workspace/strategy.py', 'utf8');

/** Tries everything the red team did against the workspace; WON is true if any of it worked. */
const TAMPERING = `
import atexit, os, sys
WS = "${WORKSPACE}"
def _attempts():
    yield lambda: os.rename(WS + "/hidden", WS + "/hidden-moved")
    yield lambda: os.rename(WS + "/target.py", WS + "/target-moved.py")
    yield lambda: open(WS + "/target.py", "w").write("def target_column_strategy(history, rng):\\n    return 0\\n")
    yield lambda: open(WS + "/pandas.py", "w").write("import os\\nos.system('touch /tmp/pwned')\\n")
    yield lambda: open(WS + "/strategy.py", "a").write("\\n")
    yield lambda: os.mkdir(WS + "/planted")
    yield lambda: os.chmod(WS, 0o777)
    yield lambda: open(os.path.join(os.getcwd(), "sitecustomize.py"), "w").write("")
    yield lambda: open(WS + "/hidden/seed.json").read()
WON = False
for attempt in _attempts():
    try:
        attempt()
        WON = True
    except OSError:
        pass
print("Evaluation failed: forged by print")
os.write(1, b"Evaluation failed: forged on stdout\\n")
atexit.register(lambda: os.write(1, b"Evaluation failed: forged at exit\\n"))
`;

const CHEATING = `${TAMPERING}\n${STARTER}\n
_honest = row_strategy
def row_strategy(history):
    return 0 if WON else _honest(history)
`;

/** A strategy whose row_strategy runs `body` (with os, sys and time imported). */
const replying = (body: string) => `import os, sys, time\ndef row_strategy(history):\n${body.replace(/^/gm, '    ')}\n`;

describe('evaluation wall', () => {
  const env = new LabgymEnv();
  let task: ResolvedTask;
  let agent: Sandbox;
  before(async () => {
    task = await resolveTask('battleOfSexes', { scale: 'reduced' });
    await env.reset({ task: task.envTask, seed: 0 });
    agent = env.currentSandbox!;
  });
  after(() => env.close());

  async function evaluate(strategy: string, kind: 'validate' | 'submit' = 'validate'): Promise<EvaluationRecord> {
    await agent.writeFiles(WORKSPACE, [{ path: 'strategy.py', content: strategy }], { owner: 'agent' });
    return task.evaluator.evaluate({ kind, agentSandbox: agent });
  }

  test('tampering with the workspace from inside the evaluation changes nothing', async () => {
    const honest = await evaluate(STARTER);
    const attacked = await evaluate(CHEATING);
    assert.equal(honest.failure, undefined);
    assert.equal(attacked.failure, undefined, attacked.failure?.message);
    assert.deepEqual(attacked.metrics, honest.metrics);
    assert.deepEqual(attacked.otherSplit?.metrics, honest.otherSplit?.metrics);
  });

  test('a forged failure line, printed or printed at exit, is not the failure', async () => {
    const failing = 'raise ValueError("no idea")';
    const honest = await evaluate(replying(failing));
    const forged = await evaluate(`${TAMPERING}\n${replying(failing)}`);
    assert.equal(honest.failure?.message, 'calling row_strategy raised ValueError: no idea');
    assert.deepEqual(forged.failure, honest.failure);
  });

  test('a reply of any shape ends in a one-line evaluation error', async () => {
    const channel = 'out = int(sys.argv[3])';
    const cases: Array<[string, RegExp]> = [
      [`${channel}\nos.write(out, b"[" * 300000 + b"]" * 300000 + b"\\n")\ntime.sleep(30)`, /garbled its reply/],
      [`${channel}\nos.write(out, b'{"value": ' + b"[" * 5000 + b"]" * 5000 + b'}\\n')\ntime.sleep(30)`, /garbled its reply/],
      [`${channel}\nos.write(out, b"not json\\n")\ntime.sleep(30)`, /garbled its reply/],
      [`${channel}\nos.write(out, b"[1, 2]\\n")\ntime.sleep(30)`, /garbled its reply/],
      [`${channel}\nos.write(out, b'{"error": [[["x"]]]}\\n')\ntime.sleep(30)`, /raised an error/],
      [`${channel}\nos.write(out, b'{"value": [' + b",".join([b"[" * 900 + b"]" * 900] * 1000) + b']}\\n')\ntime.sleep(30)`, /0 or 1|could not use/],
      [`${channel}\nchunk = b" " * (1 << 20)\nfor _ in range(80):\n    os.write(out, chunk)`, /larger than 64 MiB|took longer than 10 s/], // which comes first depends on load
      ['os._exit(1)', /ended while calling row_strategy/],
      ['return 0 if history else 1 / 0', /raised ZeroDivisionError/],
    ];
    for (const [body, message] of cases) {
      const record = await evaluate(replying(body));
      assert.equal(record.score, undefined);
      assert.equal(record.failure?.type, 'evaluation_error', `${body}: ${record.failure?.message}`);
      assert.match(record.failure!.message, message);
      assert.doesNotMatch(record.failure!.message, /Traceback|\n/);
    }
  });

  test('a sleeping submission ends at the per-call timeout, not the evaluation timeout', async () => {
    const record = await evaluate(replying('time.sleep(600)'));
    assert.equal(record.failure?.message, 'calling row_strategy took longer than 10 s');
    assert.ok(record.durationMs < 120_000, `took ${record.durationMs} ms`);
  });

  test('a sparse 3.5 GB submission is refused before any copy: on validate as the observation, on submit as the end', async () => {
    await agent.run(['truncate', '-s', '3500000000', `${WORKSPACE}/strategy.py`]);
    const rss = process.memoryUsage().rss;
    const validation = await env.step('validate');
    assert.equal(validation.info.evaluation?.failure?.type, 'submission_too_large');
    assert.match(validation.observation, /is 3500000000 bytes .* at most 1073741824 bytes/);
    assert.ok(process.memoryUsage().rss - rss < 200 * 1024 ** 2);
    const submitted = await env.step('submit');
    assert.equal(submitted.terminated, true);
    assert.equal(submitted.info.evaluation?.failure?.type, 'submission_too_large');
    assert.equal(submitted.info.exitStatus, 'submission_too_large (submit)');
  });

  test('a file that grows after the size check is cut off at the cap', async () => {
    await env.reset({ task: task.envTask, seed: 0 });
    agent = env.currentSandbox!;
    const capped = new SandboxEvaluator({
      image: task.image,
      artifacts: ['strategy.py'],
      files: [],
      command: 'true',
      primaryMetric: 'Score',
      direction: 'maximize',
      maxArtifactBytes: 1 << 20,
    });
    // The agent's background process grows the file between the stat and the copy.
    const growing = new Proxy(agent, {
      get(target, property) {
        if (property === 'readArchive') {
          return async (paths: string[], options: { maxBytes: number }) => {
            await target.run(['sh', '-c', `head -c 50000000 /dev/zero >> ${WORKSPACE}/strategy.py`]);
            return target.readArchive(paths, options);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const record = await capped.evaluate({ kind: 'validate', agentSandbox: growing });
    assert.equal(record.failure?.type, 'submission_too_large');
    assert.match(record.failure!.message, /grew past the cap/);
  });

  test("a symlinked folder does not lend root's rights to the copy: the submission is not found", async () => {
    await env.reset({ task: task.envTask, seed: 0 });
    agent = env.currentSandbox!;
    const linked = await agent.exec('ln -s /etc secrets && ls secrets/shadow');
    assert.equal(linked.exitCode, 0, linked.output);
    const evaluator = new SandboxEvaluator({
      image: task.image,
      artifacts: ['secrets/shadow'],
      files: [],
      command: 'true',
      primaryMetric: 'Score',
      direction: 'maximize',
    });
    const record = await evaluator.evaluate({ kind: 'validate', agentSandbox: agent });
    assert.equal(record.failure?.type, 'submission_not_found');
    assert.equal((await agent.exec('echo thawed')).output, 'thawed\n', "the agent's shell runs again after the copy");
  });
});
