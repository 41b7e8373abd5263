import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentOptions, runEpisode } from '../../src/agent/index.js';
import { LabgymEnv } from '../../src/env/index.js';
import { selectBestAttempt } from '../../src/eval/index.js';
import { type FaultOptions, ModelClient, type PolicyExchange, type PolicyServer, startPolicyServer } from '../../src/models/index.js';
import { appendEpisode, type EpisodeRecord, EpisodeRecordSchema, readEpisodeFileStrict } from '../../src/store/index.js';
import { numberGuessTask } from '../../src/tasks/index.js';
import { TEST_IMAGE } from '../helpers/images.js';

const task = () => numberGuessTask(TEST_IMAGE);
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

interface Harness {
  server: PolicyServer;
  exchanges: PolicyExchange[];
  env: LabgymEnv;
}

async function harness(faults?: FaultOptions, maxSteps = 40): Promise<Harness> {
  const exchanges: PolicyExchange[] = [];
  const server = await startPolicyServer({ faults, onExchange: (exchange) => exchanges.push(exchange) });
  return { server, exchanges, env: new LabgymEnv({ maxSteps }) };
}

async function episode(
  h: Harness,
  model: string,
  seed: number,
  options: { agent?: AgentOptions; maxRetries?: number; timeoutMs?: number } = {},
): Promise<EpisodeRecord> {
  const client = new ModelClient({
    baseUrl: h.server.baseUrl,
    model,
    sampling: { seed },
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? 20_000,
  });
  return runEpisode({ env: h.env, task: task(), client, seed, agent: options.agent });
}

const actions = (record: EpisodeRecord) => record.steps.map((step) => step.action);

describe('scripted episodes over real HTTP', () => {
  let h: Harness;
  const records: EpisodeRecord[] = [];
  let dir: string;
  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await harness();
    dir = await mkdtemp(join(tmpdir(), 'labgym-episodes-'));
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.env.close();
    await h.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a scripted episode gives a valid record with validate scores, rewards and a final score', async () => {
    const record = await episode(h, 'scripted', 1);
    records.push(record);
    EpisodeRecordSchema.parse(record);
    assert.equal(record.exitStatus, 'submitted');
    assert.equal(record.exitReason, 'submitted');
    assert.equal(actions(record).at(-1), 'submit\n');
    const validateSteps = record.steps.filter((step) => step.action === 'validate\n');
    assert.ok(validateSteps.length >= 3, 'the starting point and at least two experiments are validated');
    assert.deepEqual(
      record.scores.validations.map((entry) => entry.score),
      validateSteps.map((step) => step.evaluation?.score),
    );
    assert.ok(record.scores.validations.every((entry) => entry.split === 'validation' && typeof entry.score === 'number'));
    assert.equal(record.scores.final?.split, 'test');
    assert.equal(record.scores.final?.score, record.steps.at(-1)!.evaluation?.score);
    // Every evaluation also scored the other split: best is the test score of the attempt that validated best.
    const attempts = [...record.scores.validations, record.scores.final!];
    assert.ok(attempts.every((entry) => typeof entry.validationScore === 'number' && typeof entry.testScore === 'number'));
    assert.equal(record.scores.bestRule, 'validation-selected');
    assert.equal(record.scores.best, selectBestAttempt(attempts, 'maximize')!.testScore);
    assert.equal(record.integrity.evaluatedOutsideAgentSandbox, true);
    // The reward of a validate step is the gain in normalised improvement of the best validation so far.
    let best = 0;
    for (const step of validateSteps) {
      const improvement = step.evaluation!.improvement!;
      assert.ok(Math.abs(step.reward - Math.max(0, improvement - best)) < 1e-9, `reward of step ${step.index}`);
      best = Math.max(best, improvement);
    }
    assert.equal(record.steps.at(-1)!.reward, record.steps.at(-1)!.evaluation!.improvement);
    assert.equal(record.usage.calls, record.steps.length, 'one call per step: no requeries without faults');
    assert.equal(record.usage.retries, 0);
    assert.equal(record.messages.filter((message) => message.role === 'assistant').length, record.steps.length);
    await appendEpisode(join(dir, 'episodes.jsonl'), record);
  });

  test('two seeds give different action sequences', async () => {
    const other = await episode(h, 'scripted', 2);
    records.push(other);
    assert.equal(other.exitStatus, 'submitted');
    assert.notDeepEqual(actions(other), actions(records[0]!));
  });

  test('replay of a recorded episode reproduces its actions and scores', async () => {
    const [recorded] = await readEpisodeFileStrict(join(dir, 'episodes.jsonl'));
    const replayed = await episode(h, `replay:${join(dir, 'episodes.jsonl')}`, 99);
    assert.deepEqual(actions(replayed), actions(recorded!));
    assert.deepEqual(
      replayed.steps.map((step) => step.evaluation?.score),
      recorded!.steps.map((step) => step.evaluation?.score),
    );
    assert.deepEqual(replayed.scores, recorded!.scores);
    assert.equal(replayed.exitStatus, recorded!.exitStatus);
  });

  test('XML and native tool-calling formats run the same researcher', async () => {
    for (const responseFormat of ['xml', 'tools'] as const) {
      const record = await episode(h, 'scripted', 1, { agent: { responseFormat } });
      assert.equal(record.exitStatus, 'submitted', responseFormat);
      assert.deepEqual(
        actions(record).map((action) => action.trim()),
        actions(records[0]!).map((action) => action.trim()),
        responseFormat,
      );
      if (responseFormat === 'tools') {
        assert.ok(record.messages.some((message) => message.role === 'tool'));
        assert.ok(record.steps.some((step) => step.toolCalls?.[0]?.name === 'validate'));
      }
    }
  });

  test('the step limit autosubmits without a wasted model call', async () => {
    const short: Harness = { ...h, env: new LabgymEnv({ maxSteps: 3 }) };
    try {
      const record = await episode(short, 'scripted', 1);
      assert.deepEqual(actions(record), ['ls\n', 'open guess.py\n', 'python3 guess.py\n', 'max_steps']);
      assert.equal(record.exitStatus, 'autosubmission (max_steps)');
      assert.equal(record.exitReason, 'max_steps');
      assert.equal(record.usage.calls, 3);
      assert.equal(record.scores.final?.split, 'test');
    } finally {
      await short.env.close();
    }
  });

  test('no unhandled rejection', () => assert.deepEqual(unhandled, []));
});

describe('episodes under injected faults', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  test('empty outputs are re-queried 3 times, recorded, and end in exit_format', async () => {
    const h = await harness({ rates: { empty: 1 } });
    try {
      const record = await episode(h, 'scripted', 1);
      assert.equal(record.exitStatus, 'submission_not_found (exit_format)');
      assert.equal(record.exitReason, 'exit_format');
      assert.equal(record.steps.length, 1);
      assert.equal(record.steps[0]!.action, 'exit_format');
      assert.equal(record.steps[0]!.requeries.length, 3);
      assert.ok(record.steps[0]!.requeries.every((requery) => requery.response === '' && /no command block/.test(requery.formatError)));
      assert.equal(record.usage.calls, 4);
    } finally {
      await h.env.close();
      await h.server.close();
    }
  });

  test('an endpoint that always fails ends in exit_api with its retries counted', async () => {
    const h = await harness({ rates: { error: 1 } });
    try {
      const record = await episode(h, 'scripted', 1, { maxRetries: 1 });
      assert.match(record.exitStatus, /\(exit_api\)$/);
      assert.equal(record.exitReason, 'exit_api');
      assert.equal(record.usage.calls, 1);
      assert.equal(record.usage.retries, 1);
      assert.equal(h.exchanges.length, 2);
      assert.match(record.error ?? '', /500/);
    } finally {
      await h.env.close();
      await h.server.close();
    }
  });

  test('with 20 % faults every episode ends with the status its faults call for, and retries are counted', async () => {
    const maxRetries = 2;
    const h = await harness({
      rates: { error: 0.04, rate_limit: 0.03, slow: 0.02, hang: 0.02, empty: 0.03, truncated: 0.02, garbled: 0.02, two_blocks: 0.02 },
      seed: 11,
      retryAfterSeconds: 0.2,
      slowMs: 100,
    });
    const CONTENT_FAULTS = new Set(['empty', 'truncated', 'garbled', 'two_blocks']);
    let totalRetries = 0;
    let totalRequeries = 0;
    try {
      for (const seed of [1, 2, 3]) {
        h.exchanges.length = 0;
        const record = await episode(h, 'scripted', seed, { maxRetries, timeoutMs: 1000 });
        // Group the server's log into calls: failed attempts until a 200, or until the retries run out.
        const calls: { failed: number; answered?: PolicyExchange }[] = [];
        let current = { failed: 0 } as { failed: number; answered?: PolicyExchange };
        for (const exchange of h.exchanges) {
          if (exchange.status === 200) {
            calls.push({ ...current, answered: exchange });
            current = { failed: 0 };
          } else if (++current.failed === maxRetries + 1) {
            calls.push(current);
            current = { failed: 0 };
          }
        }
        const exhausted = calls.some((call) => !call.answered);
        let run = 0;
        let formatExit = false;
        for (const call of calls) {
          run = call.answered && CONTENT_FAULTS.has(call.answered.fault ?? '') ? run + 1 : 0;
          if (run === 4) formatExit = true;
        }
        const expected = exhausted ? /\(exit_api\)$/ : formatExit ? /\(exit_format\)$/ : /^submitted$/;
        assert.match(record.exitStatus, expected, `seed ${seed}`);
        assert.equal(record.usage.calls, calls.length, `seed ${seed}: calls`);
        assert.equal(
          record.usage.retries,
          calls.reduce((sum, call) => sum + (call.answered ? call.failed : call.failed - 1), 0),
          `seed ${seed}: retries`,
        );
        const requeries = record.steps.reduce((sum, step) => sum + step.requeries.length, 0);
        assert.equal(
          requeries,
          calls.filter((call) => call.answered && CONTENT_FAULTS.has(call.answered.fault ?? '')).length - (formatExit ? 1 : 0),
          `seed ${seed}: requeries`,
        );
        totalRetries += record.usage.retries;
        totalRequeries += requeries;
        EpisodeRecordSchema.parse(record);
      }
      assert.ok(totalRetries > 0 && totalRequeries > 0, 'the faults really happened');
      assert.deepEqual(unhandled, []);
    } finally {
      await h.env.close();
      await h.server.close();
    }
  });
});
