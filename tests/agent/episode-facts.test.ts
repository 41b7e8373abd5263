/**
 * The typed facts of an episode record, over real HTTP and Docker: each command's exit code and timeout, why the
 * episode ended, where it was evaluated, and both splits' scores with the validation-selected Best Attempt.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runEpisode, SANDBOX_ERROR_STATUS } from '../../src/agent/index.js';
import { type EnvTask, LabgymEnv } from '../../src/env/index.js';
import type { EvaluationParams, EvaluationRecord, SandboxEvaluator } from '../../src/eval/index.js';
import { ModelClient, type PolicyServer, startPolicyServer } from '../../src/models/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../../src/sandbox/index.js';
import { type EpisodeRecord, EpisodeRecordSchema } from '../../src/store/index.js';
import { numberGuessTask } from '../../src/tasks/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

let server: PolicyServer;
let dir: string;

before(async () => {
  server = await startPolicyServer({});
  dir = await mkdtemp(join(tmpdir(), 'labgym-facts-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A replay model that answers with these actions, in order (an MLGym .traj of assistant messages). */
async function replayModel(name: string, actions: readonly string[]): Promise<string> {
  const history = actions.map((action) => ({ role: 'assistant', content: `DISCUSSION\nnext\n\n\`\`\`\n${action}\n\`\`\`` }));
  const path = join(dir, `${name}.traj`);
  await writeFile(path, JSON.stringify({ trajectory: [], history, info: {} }));
  return `replay:${path}`;
}

async function episode(env: LabgymEnv, task: EnvTask, actions: readonly string[], name: string, gpuSeconds?: () => number): Promise<EpisodeRecord> {
  const client = new ModelClient({ baseUrl: server.baseUrl, model: await replayModel(name, actions), maxRetries: 0, timeoutMs: 20_000 });
  const record = await runEpisode({ env, task, client, gpuSeconds });
  return EpisodeRecordSchema.parse(record);
}

describe('a split-aware episode', () => {
  const created: string[] = [];
  const env = new LabgymEnv({ maxSteps: 10, shortTimeoutMs: 1500 });
  let record: EpisodeRecord;
  after(() => env.close());

  before(async () => {
    const base = numberGuessTask(TEST_IMAGE);
    const tracked = (base.evaluator as SandboxEvaluator).withCreateSandbox(async (params: SandboxCreateParams) => {
      const sandbox = await createSandbox(params);
      created.push(sandbox.id);
      return sandbox;
    });
    // Targets: validation 10, test 12. Guess 10 validates best but tests worse than guess 12.
    const actions = ['sleep 100', 'echo 10 > submission.txt', 'validate', 'echo 12 > submission.txt', 'validate', 'submit'];
    record = await episode(env, { ...base, evaluator: tracked }, actions, 'split-aware', () => 12.5);
  });

  test('a timed-out command records its timeout and exit code; a normal one exit code 0', () => {
    const [slow, echo] = record.steps;
    assert.equal(slow!.action.trim(), 'sleep 100');
    assert.equal(slow!.timedOut, 'total');
    assert.equal(typeof slow!.exitCode, 'number');
    assert.notEqual(slow!.exitCode, 0);
    assert.equal(echo!.exitCode, 0);
    assert.equal(echo!.timedOut, false);
    assert.equal(record.steps.find((step) => step.action.trim() === 'validate')!.exitCode, undefined, 'validate runs no command');
  });

  test('validate records the hidden test score; the agent sees only the validation score', () => {
    const validate = record.steps[2]!;
    assert.equal(validate.evaluation?.split, 'validation');
    assert.equal(plain(validate.evaluation?.score), 0);
    assert.equal(validate.evaluation?.otherSplit?.split, 'test');
    assert.equal(validate.evaluation?.otherSplit?.score, -2);
    assert.match(validate.observation, /Evaluation Score: \{'score': 0, 'split_seen': 1\}/);
    assert.doesNotMatch(validate.observation, /-2/);
    assert.equal(validate.reward, 1, 'the reward is the validation improvement: from -7 to 0');
    const prompt = record.messages.find((message) => message.role === 'user' && message.content?.includes("'score': 0, 'split_seen'"));
    assert.ok(prompt, 'the observation reached the model');
    assert.doesNotMatch(prompt.content!, /-2/, 'the prompt after it holds no test score');
  });

  test('the record ends submitted, evaluated outside the agent sandbox, with the lease GPU-seconds', () => {
    assert.equal(record.exitStatus, 'submitted');
    assert.equal(record.exitReason, 'submitted');
    const evaluations = record.steps.flatMap((step) => (step.evaluation ? [step.evaluation] : []));
    assert.equal(evaluations.length, 3);
    assert.equal(created.length, 6, 'each evaluation scored both splits, each in its own fresh sandbox');
    assert.equal(new Set(created).size, 6);
    for (const evaluation of evaluations) {
      assert.ok(created.includes(evaluation.evaluationSandboxId!));
      assert.ok(evaluation.agentSandboxId);
      assert.ok(!created.includes(evaluation.agentSandboxId!));
    }
    assert.equal(record.integrity.evaluatedOutsideAgentSandbox, true);
    assert.equal(record.usage.gpuSeconds, 12.5);
  });

  test('scores carry both splits and the best is the test score of the best validation', () => {
    const { validations, final } = record.scores;
    assert.deepEqual(
      validations.map((entry) => [plain(entry.validationScore), plain(entry.testScore)]),
      [
        [0, -2],
        [-2, 0],
      ],
    );
    assert.equal(plain(final?.testScore), 0);
    assert.equal(final?.validationScore, -2);
    assert.equal(record.scores.bestRule, 'validation-selected');
    assert.equal(record.scores.best, -2, 'guess 10 validated best; MLGym would report 0');
  });
});

describe('why an episode ended', () => {
  test('the step limit gives max_steps; no GPUs give 0 GPU-seconds', async () => {
    const env = new LabgymEnv({ maxSteps: 2 });
    try {
      const record = await episode(env, numberGuessTask(TEST_IMAGE), ['python3 guess.py', 'ls', 'ls'], 'limit');
      assert.equal(record.steps.length, 3);
      assert.equal(record.steps.at(-1)!.action, 'max_steps');
      assert.equal(record.exitReason, 'max_steps');
      assert.equal(record.usage.gpuSeconds, 0);
    } finally {
      await env.close();
    }
  });

  test('a bug, then the container gone during the autosubmission, is a sandbox error', async () => {
    const env = new LabgymEnv({ createSandbox: (params) => createSandbox(params).then(explodingSandbox) });
    try {
      const record = await episode(env, numberGuessTask(TEST_IMAGE), ['python3 guess.py', 'explode'], 'explode');
      assert.equal(record.exitReason, 'sandbox_error');
      assert.equal(record.exitStatus, SANDBOX_ERROR_STATUS);
      assert.match(record.error ?? '', /a bug in the step/);
    } finally {
      await env.close();
    }
  });

  test('a container killed mid-episode is a sandbox error', async () => {
    const env = new LabgymEnv();
    const base = numberGuessTask(TEST_IMAGE);
    const killing: EnvTask = { ...base, evaluator: { evaluate: (params) => killThenEvaluate(base, params) } };
    try {
      const record = await episode(env, killing, ['python3 guess.py', 'validate'], 'killed');
      assert.equal(record.exitReason, 'sandbox_error');
      assert.match(record.error ?? '', /SandboxUnavailableError/);
    } finally {
      await env.close();
    }
  });

  test('a loop that breaks with nothing scored is an early exit', async () => {
    const env = new LabgymEnv();
    const broken: EnvTask = { ...numberGuessTask(TEST_IMAGE), evaluator: { evaluate: () => Promise.reject(new Error('evaluator bug')) } };
    try {
      const record = await episode(env, broken, ['python3 guess.py', 'validate'], 'early');
      assert.equal(record.exitReason, 'early_exit');
      assert.equal(record.exitStatus, 'early_exit');
      assert.match(record.error ?? '', /evaluator bug/);
      assert.equal(record.integrity.evaluatedOutsideAgentSandbox, true, 'no score came from the agent sandbox: nothing was scored');
    } finally {
      await env.close();
    }
  });

  test('an evaluation that ran in the agent sandbox makes the integrity flag false', async () => {
    const env = new LabgymEnv();
    const base = numberGuessTask(TEST_IMAGE);
    // An evaluator that scores where the agent works (what MLGym does): its record names the agent's sandbox.
    const inPlace: EnvTask = {
      ...base,
      evaluator: {
        evaluate: async (params) => {
          const honest = await base.evaluator.evaluate(params);
          return { ...honest, evaluationSandboxId: params.agentSandbox.id, agentSandboxId: params.agentSandbox.id };
        },
      },
    };
    try {
      const record = await episode(env, inPlace, ['python3 guess.py', 'submit'], 'in-place');
      assert.ok(
        record.steps.some((step) => step.evaluation?.score !== undefined),
        'the submission was scored',
      );
      assert.equal(record.integrity.evaluatedOutsideAgentSandbox, false);
    } finally {
      await env.close();
    }
  });
});

/** The evaluator prints -0.0 for a float guess on target: compare it as 0. */
function plain(score: number | undefined): number | undefined {
  return score === undefined ? undefined : score + 0;
}

/** The agent's container dies just as validate starts. */
function killThenEvaluate(task: EnvTask, params: EvaluationParams): Promise<EvaluationRecord> {
  kill(params.agentSandbox.id);
  return task.evaluator.evaluate(params);
}

function kill(containerId: string): void {
  execFileSync('docker', ['kill', containerId], { stdio: 'ignore' });
}

/** A real sandbox whose `explode` command is a bug in labgym (a plain error) that also takes the container down. */
function explodingSandbox(sandbox: Sandbox): Sandbox {
  const exec: Sandbox['exec'] = async (command, params) => {
    if (!command.includes('explode')) return sandbox.exec(command, params);
    kill(sandbox.id);
    throw new Error('a bug in the step');
  };
  return new Proxy(sandbox, { get: (target, key) => (key === 'exec' ? exec : bound(target, key)) });
}

/** A property of the real sandbox, its methods bound to it (they use private state). */
function bound(target: Sandbox, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}
