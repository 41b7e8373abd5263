import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  ContextWindowExceededError,
  CostBudget,
  CostLimitExceededError,
  exitActionFor,
  loadScriptedPolicyFile,
  ModelCallError,
  ModelClient,
  type PolicyExchange,
  type PolicyServerOptions,
  startPolicyServer,
} from '../../src/models/index.js';
import type { ChatMessage } from '../../src/store/index.js';

const FIXTURE = new URL('../fixtures/mlgym/scripted__numberGuess__run_0/numberGuess.traj', import.meta.url).pathname;
const MODEL = `replay:${FIXTURE}`;
const prompt: ChatMessage[] = [
  { role: 'system', content: 'You are a researcher.' },
  { role: 'user', content: 'TASK ID: numberGuess\n(Current Step: 0, Remaining Steps: 50)' },
];

async function withServer(options: PolicyServerOptions, body: (baseUrl: string, exchanges: PolicyExchange[]) => Promise<void>): Promise<void> {
  const exchanges: PolicyExchange[] = [];
  const server = await startPolicyServer({ ...options, onExchange: (exchange) => exchanges.push(exchange) });
  try {
    await body(server.baseUrl, exchanges);
  } finally {
    await server.close();
  }
}

describe('model client against the policy server (real HTTP)', () => {
  test("a completion carries the policy's answer, the reported usage and one attempt", () =>
    withServer({}, async (baseUrl, exchanges) => {
      const client = new ModelClient({ baseUrl, model: MODEL, sampling: { temperature: 0, seed: 1 } });
      const result = await client.complete({ messages: prompt });
      assert.match(result.content, /```\nenv\n```$/);
      assert.equal(result.call.attempts, 1);
      assert.equal(result.call.usageEstimated, false);
      assert.ok(result.call.promptTokens > 0 && result.call.completionTokens > 0);
      assert.equal(result.call.finishReason, 'stop');
      assert.deepEqual(
        exchanges.map((exchange) => exchange.status),
        [200],
      );
    }));

  test('server errors are retried and every attempt is counted; exhausted retries map to exit_api', () =>
    withServer({ faults: { rates: { error: 1 } } }, async (baseUrl, exchanges) => {
      const client = new ModelClient({ baseUrl, model: MODEL, maxRetries: 2 });
      const error = await client.complete({ messages: prompt }).then(
        () => assert.fail('expected a failure'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof ModelCallError);
      assert.equal(error.call.attempts, 3);
      assert.equal(exchanges.length, 3);
      assert.equal(exitActionFor(error), 'exit_api');
    }));

  test('a 429 with Retry-After is retried, then the answer arrives', () =>
    withServer({ faults: { rates: { rate_limit: 0.5 }, seed: 3, retryAfterSeconds: 0.05 } }, async (baseUrl, exchanges) => {
      const client = new ModelClient({ baseUrl, model: MODEL, maxRetries: 10 });
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await client.complete({ messages: prompt }));
      const limited = exchanges.filter((exchange) => exchange.status === 429).length;
      assert.ok(limited > 0, 'the seed injects at least one 429');
      assert.equal(
        results.reduce((sum, result) => sum + result.call.attempts - 1, 0),
        limited,
        'each 429 is one counted retry',
      );
      assert.equal(exchanges.filter((exchange) => exchange.status === 200).length, 4);
    }));

  test('a hanging response times out, is retried, and ends as exit_api', () =>
    withServer({ faults: { rates: { hang: 1 } } }, async (baseUrl) => {
      const client = new ModelClient({ baseUrl, model: MODEL, timeoutMs: 300, maxRetries: 1 });
      const error = await client.complete({ messages: prompt }).catch((caught: unknown) => caught);
      assert.ok(error instanceof ModelCallError);
      assert.equal(error.call.attempts, 2);
      assert.match(error.message, /timed out/i);
      assert.equal(exitActionFor(error), 'exit_api');
    }));

  test('usage is estimated when the endpoint reports none', () =>
    withServer({ reportUsage: false }, async (baseUrl) => {
      const result = await new ModelClient({ baseUrl, model: MODEL }).complete({ messages: prompt });
      assert.equal(result.call.usageEstimated, true);
      assert.ok(result.call.promptTokens > 0);
    }));

  test('budgets are checked before the call: nothing is sent once the next call could overspend', () =>
    withServer({}, async (baseUrl, exchanges) => {
      const pricing = { inputPerMillionTokens: 1000, outputPerMillionTokens: 1000 };
      const client = new ModelClient({ baseUrl, model: MODEL, pricing, sampling: { maxTokens: 100 } });
      const first = await client.complete({ messages: prompt });
      const perCall = first.call.costUsd;
      assert.ok(perCall > 0);
      const budget = new CostBudget('episode', perCall * 2.5);
      let sent = 0;
      let refusal: unknown;
      for (let i = 0; i < 10 && !refusal; i++) {
        const before = exchanges.length;
        await client.complete({ messages: prompt, budgets: [budget] }).then(
          () => (sent += 1),
          (caught: unknown) => {
            refusal = caught;
            assert.equal(exchanges.length, before, 'the refused call never reached the endpoint');
          },
        );
      }
      assert.ok(sent >= 1, 'calls go through while the worst case fits');
      assert.ok(refusal instanceof CostLimitExceededError);
      assert.equal(exitActionFor(refusal), 'exit_cost');
      assert.ok(refusal.spentUsd + refusal.neededUsd > refusal.limitUsd, 'refused only because the worst case did not fit');
      assert.ok(budget.spentUsd <= budget.limitUsd);
    }));

  test('a prompt that does not fit the context window is refused before sending', () =>
    withServer({}, async (baseUrl, exchanges) => {
      const client = new ModelClient({ baseUrl, model: MODEL, contextWindowTokens: 50, sampling: { maxTokens: 40 } });
      const error = await client.complete({ messages: prompt }).catch((caught: unknown) => caught);
      assert.ok(error instanceof ContextWindowExceededError);
      assert.equal(exitActionFor(error), 'exit_context');
      assert.equal(exchanges.length, 0);
    }));

  test('the server lists its models and refuses unknown ones with 404', () =>
    withServer({}, async (baseUrl) => {
      const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: { id: string }[] };
      assert.ok(models.data.some((model) => model.id === 'scripted:numberGuess'));
      const error = await new ModelClient({ baseUrl, model: 'gpt-nonexistent', maxRetries: 0 })
        .complete({ messages: prompt })
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ModelCallError);
      assert.match(error.message, /404/);
    }));
});

describe('scripted policy file', () => {
  test('a bad policy.yaml is one ConfigError naming the file and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labgym-policy-'));
    try {
      const file = join(dir, 'policy.yaml');
      await writeFile(
        file,
        'schemaVersion: 1\ntask: t\nmetric: {name: score, direction: maximize}\nexperiments: {min: 3, max: 1}\nslots: [{name: a, restore: [ls], moves: [{name: m, kind: tweak, commands: [ls]}]}]\n',
      );
      assert.throws(
        () => loadScriptedPolicyFile(file),
        (error: unknown) => error instanceof ConfigError && error.message.includes('policy.yaml: slots[0].moves[0].kind: expected one of'),
      );
      await writeFile(
        file,
        'schemaVersion: 1\ntask: t\nmetric: {name: score, direction: maximize}\nexperiments: {min: 3, max: 1}\nslots: [{name: a, restore: [ls], moves: [{name: m, kind: variant, commands: [ls]}]}]\n',
      );
      assert.throws(() => loadScriptedPolicyFile(file), /policy\.yaml: experiments\.max: expected a number >= experiments\.min \(3\), got 1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the shipped numberGuess policy is valid', () => {
    const policy = loadScriptedPolicyFile(new URL('../../tasks/numberGuess/policy.yaml', import.meta.url).pathname);
    assert.equal(policy.task, 'numberGuess');
    assert.deepEqual(new Set(policy.slots.flatMap((slot) => slot.moves.map((move) => move.kind))), new Set(['hyperparameter', 'new_file', 'variant']));
  });
});
