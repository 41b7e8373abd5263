import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import { InvalidArgumentError, ResetNeededError } from '../../src/errors.js';
import { numberGuessTask } from '../../src/tasks/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const guessTask = () => numberGuessTask(TEST_IMAGE);

describe('LabgymEnv episode', () => {
  const env = new LabgymEnv({ maxSteps: 20, shortTimeoutMs: 1500 });
  after(() => env.close());

  test('reset builds the workspace and returns the task description', async () => {
    const { observation, info } = await env.reset({ task: guessTask(), seed: 3 });
    assert.match(observation, /^Guess the hidden number/);
    assert.deepEqual(info.state, { openFile: 'n/a', workingDir: '/home/agent/workspace' });
    assert.equal(info.reusedSandbox, false);
    const listing = await env.step('ls');
    assert.equal(listing.observation, 'evaluate.py\nguess.py\n');
    assert.equal(listing.reward, 0);
    assert.equal(listing.info.exitCode, 0);
    assert.equal(listing.info.timedOut, false);
    assert.equal(listing.terminated || listing.truncated, false);
  });

  test('ACI commands run in the sandbox and the open file shows in the state', async () => {
    const opened = await env.step('open guess.py');
    assert.match(opened.observation, /^\[File: \/home\/agent\/workspace\/guess.py \(3 lines total\)\]\n1:GUESS = 5\n/);
    assert.equal(opened.info.state.openFile, '/home/agent/workspace/guess.py');
  });

  test('validate scores the validation split in a separate sandbox and earns the improvement as reward', async () => {
    const tamper = await env.step('python3 guess.py && echo 0 > hidden_target.txt; chmod u+w evaluate.py; echo "print(1)" > evaluate.py');
    assert.match(tamper.observation, /Operation not permitted/);
    const validation = await env.step('validate');
    assert.equal(validation.info.evaluation?.split, 'validation');
    assert.equal(validation.info.evaluation?.score, -5);
    assert.equal(
      validation.observation,
      "Your code produced a valid submission artefact at /home/agent/workspace/submission.txt.\nBaseline Score: {'score': -7}\nEvaluation Score: {'score': -5, 'split_seen': 1}",
    );
    assert.equal(validation.reward, 2 / 7); // from -7 (the baseline in task.yaml) to -5 is 2/7 of the baseline's magnitude
    // The hidden test split scored the same guess (5 against 12) in its own sandbox, for the record only.
    const { evaluationSandboxId: otherSandboxId, ...other } = validation.info.evaluation?.otherSplit ?? {};
    assert.deepEqual(other, { split: 'test', metrics: { score: -7, split_seen: 1 }, score: -7, improvement: 0 });
    assert.ok(otherSandboxId && otherSandboxId !== validation.info.evaluation?.evaluationSandboxId && otherSandboxId !== env.currentSandbox!.id);
    assert.equal(validation.info.evaluation?.agentSandboxId, env.currentSandbox!.id);
    assert.ok(validation.info.evaluation?.evaluationSandboxId);
    assert.notEqual(validation.info.evaluation?.evaluationSandboxId, env.currentSandbox!.id);
    const worse = await env.step('echo 30 > submission.txt');
    assert.equal(worse.reward, 0);
    assert.equal((await env.step('validate')).reward, 0, 'a worse validation earns nothing');
  });

  test("a timed-out command gets MLGym's timeout text and the next step works", async () => {
    const slow = await env.step('sleep 100');
    assert.equal(slow.info.timedOut, 'total');
    assert.equal(typeof slow.info.exitCode, 'number');
    assert.notEqual(slow.info.exitCode, 0);
    assert.match(slow.observation, /Killed +sleep 100\n\nEXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN 2 SECONDS\.$/);
    assert.equal((await env.step('echo ok')).observation, 'ok\n');
  });

  test('submit scores the held-out test split, terminates, and ends the episode', async () => {
    await env.step('echo 11 > submission.txt');
    const submitted = await env.step('submit');
    assert.equal(submitted.terminated, true);
    assert.equal(submitted.truncated, false);
    assert.equal(submitted.info.exitStatus, 'submitted');
    assert.equal(submitted.info.exitReason, 'submitted');
    assert.equal(submitted.info.evaluation?.otherSplit?.split, 'validation');
    assert.equal(submitted.info.evaluation?.otherSplit?.score, -1); // 11 against the validation target 10
    assert.equal(submitted.info.evaluation?.split, 'test');
    assert.equal(submitted.info.evaluation?.score, -1);
    assert.equal(submitted.reward, 6 / 7); // the final improvement: from -7 to -1
    assert.equal(submitted.observation, 'Exited (submit)');
    await assert.rejects(env.step('ls'), ResetNeededError);
  });

  test('a second reset reuses the container with a clean workspace and fresh shell state', async () => {
    const { info } = await env.reset({ task: guessTask() });
    assert.equal(info.reusedSandbox, true);
    assert.equal(info.state.openFile, 'n/a');
    assert.equal((await env.step('ls; echo "${GREETING:-unset}"')).observation, 'evaluate.py\nguess.py\nunset\n');
  });

  test('hitting the step limit autosubmits without running the action', async () => {
    const short = new LabgymEnv({ maxSteps: 1 });
    try {
      await short.reset({ task: guessTask() });
      assert.equal(short.stepLimitReached, false);
      await short.step('python3 guess.py');
      assert.equal(short.stepLimitReached, true);
      const last = await short.step('echo never > ran.txt');
      assert.equal(last.truncated, true);
      assert.equal(last.terminated, false);
      assert.equal(last.info.exitStatus, 'autosubmission (max_steps)');
      assert.equal(last.info.exitReason, 'max_steps');
      assert.equal(last.info.evaluation?.score, -7);
      const files = await short.currentSandbox!.readFiles(['/home/agent/workspace/ran.txt']);
      assert.equal(files.size, 0);
    } finally {
      await short.close();
    }
  });

  test('a missing submission ends with submission_not_found', async () => {
    const env2 = new LabgymEnv();
    try {
      await env2.reset({ task: guessTask() });
      const result = await env2.step('submit');
      assert.equal(result.info.exitStatus, 'submission_not_found (submit)');
      assert.equal(result.reward, 0);
    } finally {
      await env2.close();
    }
  });
});

describe('LabgymEnv bad input', () => {
  const env = new LabgymEnv({ mlgymCompatible: true });
  before(() => env.reset({ task: guessTask() }));
  after(() => env.close());

  test('step before reset and an empty action are clear errors', async () => {
    await assert.rejects(new LabgymEnv().step('ls'), ResetNeededError);
    await assert.rejects(env.step('   \n'), (error: unknown) => error instanceof InvalidArgumentError && /action is empty/.test(error.message));
    assert.throws(() => new LabgymEnv({ maxSteps: 0 }), /maxSteps must be a positive integer/);
  });

  test('MLGym-compatible mode drops blank lines and progress bars', async () => {
    const result = await env.step('printf "a\\n\\n\\nb\\n 50%%|#####     | 5/10 [00:01<00:01, 5.00it/s]\\nc\\n"');
    assert.equal(result.observation, 'a\nb\nc');
  });

  test('an edit without end_of_edit is refused without running', async () => {
    const result = await env.step('edit 1:1\nGUESS = 6');
    assert.equal(result.observation, 'Malformed edit command. Please ensure you use the `end_of_edit` keyword to mark the end of your edit.');
  });
});
