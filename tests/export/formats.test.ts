/** sharegpt (+ dataset_info.json), preference (DPO pairs), kto, transitions and mlgym exports, read back independently. */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { exportDataset, preferencePairs, responseMessageIndexes, summarize } from '../../src/export/index.js';
import { type ChatMessage, readMlgymRun } from '../../src/store/index.js';
import { duckdbQuery, episode, tempDir, withFinal, writeRun } from './helpers.js';

describe('formats', () => {
  test('sharegpt: conversations with from/value tags, system apart, dataset_info.json for LLaMA-Factory', async () => {
    const tools = episode(1, (r) => {
      r.agent.responseFormat = 'tools';
      r.messages = [
        r.messages[0]!,
        r.messages[1]!,
        { role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'bash', arguments: '{"command":"ls"}' }] },
        { role: 'tool', content: 'a.py', toolCallId: 'c' },
      ];
    });
    const source = [episode(0), tools];
    const out = join(tempDir(), 'sg');
    await exportDataset({ inputs: [writeRun(source)], out, format: 'sharegpt', name: 'labgym_demo' });
    const rows = await duckdbQuery(`SELECT system, conversations FROM read_parquet('${out}/data/*.parquet', file_row_number = true) ORDER BY file_row_number`);
    const plain = rows[0]!.conversations as { from: string; value: string }[];
    assert.equal(rows[0]!.system, source[0]!.messages[0]!.content);
    assert.deepEqual(
      plain.map((t) => t.from),
      ['human', 'gpt', 'human', 'gpt', 'human', 'gpt', 'human', 'gpt'],
    );
    assert.equal(plain[1]!.value, source[0]!.messages[2]!.content);
    assert.deepEqual(rows[1]!.conversations, [
      { from: 'human', value: tools.messages[1]!.content },
      { from: 'function_call', value: '{"name":"bash","arguments":{"command":"ls"}}' },
      { from: 'observation', value: 'a.py' },
    ]);
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8'));
    assert.deepEqual(info.labgym_demo.columns, { messages: 'conversations', system: 'system', tools: 'tools' });
    assert.equal(info.labgym_demo.formatting, 'sharegpt');
    assert.equal(info.labgym_demo.file_name, 'data/train-00000-of-00001.parquet');
  });

  test('preference: the i-th best is paired with the i-th worst of each task and seed group, strictly better only', async () => {
    // Task0 (baseline 1) seed 0: episodes 0, 32, 64, 96 (index/8 % 4 = 0 → i = 0, 32, 64, 96). Scores 1.5, 1.1, 0.9, 1.1.
    const scores: Record<number, number> = { 0: 1.5, 32: 1.1, 64: 0.9, 96: 1.1 };
    // Short hand-written conversations for the pair that is exported, so the expected rows can be written out.
    const conversations: Record<number, ChatMessage[]> = {
      0: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'Guess the number.' },
        { role: 'assistant', content: '```\nguess 5\n```' },
        { role: 'user', content: 'Too low.' },
        { role: 'assistant', content: '```\nsubmit\n```' },
      ],
      64: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'Guess the number.' },
        { role: 'assistant', content: '```\nsubmit\n```' },
      ],
    };
    const source = [0, 32, 64, 96, 8].map((i) =>
      episode(i, (r) => {
        withFinal(r, scores[i] ?? 1);
        if (conversations[i]) r.messages = conversations[i];
      }),
    );
    const pairs = preferencePairs(source.map(summarize));
    // group seed 0: ranked 0 (1.5), 32 (1.1), 96 (1.1), 64 (0.9) → (0, 64) and (32, 96); the second pair ties → dropped.
    assert.deepEqual(
      pairs.map((p) => [p.chosen.episodeId, p.rejected.episodeId]),
      [[source[0]!.episodeId, source[2]!.episodeId]],
    );
    // pairBy task: episode 8 (seed 1, score 1) joins: 0 (1.5), 32, 96 (1.1), 8 (1.0), 64 (0.9) → (0, 64), (32, 8).
    assert.deepEqual(
      preferencePairs(source.map(summarize), { pairBy: 'task' }).map((p) => [p.chosen.episodeId, p.rejected.episodeId]),
      [
        [source[0]!.episodeId, source[2]!.episodeId],
        [source[1]!.episodeId, source[4]!.episodeId],
      ],
    );
    assert.equal(preferencePairs(source.map(summarize), { minMargin: 0.7 }).length, 0);

    const out = join(tempDir(), 'dpo');
    const result = await exportDataset({ inputs: [writeRun(source)], out, format: 'preference' });
    assert.equal(result.rows, 1);
    const [row] = await duckdbQuery(`SELECT * FROM read_parquet('${out}/data/*.parquet')`);
    const message = (role: string, content: string) => ({ role, content, tool_calls: null, tool_call_id: null });
    // The prompt: everything before the first assistant turn; chosen and rejected: the rest of each conversation.
    assert.deepEqual(row!.prompt, [message('system', 'You are an agent.'), message('user', 'Guess the number.')]);
    assert.deepEqual(row!.chosen, [message('assistant', '```\nguess 5\n```'), message('user', 'Too low.'), message('assistant', '```\nsubmit\n```')]);
    assert.deepEqual(row!.rejected, [message('assistant', '```\nsubmit\n```')]);
    assert.deepEqual([row!.chosen_score, row!.rejected_score], [1.5, 0.9]);
  });

  test('kto: label = the held-out score beat the baseline', async () => {
    const source = [episode(0, (r) => withFinal(r, 1.2)), episode(8, (r) => withFinal(r, 0.8)), episode(16, (r) => withFinal(r, undefined))];
    const out = join(tempDir(), 'kto');
    await exportDataset({ inputs: [writeRun(source)], out, format: 'kto', writer: 'jsonl' });
    const rows = readFileSync(join(out, 'data', 'train-00000-of-00001.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      rows.map((row) => row.label),
      [true, false, false],
    );
    assert.equal(rows[0].prompt.length, 2);
    assert.equal(rows[0].completion[0].role, 'assistant');
  });

  test('transitions: one row per step with the context seen, rewards and return-to-go', async () => {
    // task0, baseline 1 (maximise), 4 steps; step 3 validates at 1.2 and the submission scores 1.5.
    const record = episode(0, (r) => {
      r.scores.validations = [{ step: 3, split: 'validation', score: 1.2, metrics: { Score: 1.2 } }];
      withFinal(r, 1.5);
    });
    const out = join(tempDir(), 'tr');
    const result = await exportDataset({ inputs: [writeRun([record])], out, format: 'transitions', formatOptions: { shaping: { gamma: 1 } } });
    assert.equal(result.rows, record.steps.length);
    const rows = await duckdbQuery(
      `SELECT step_index::INTEGER AS step, len(state)::INTEGER AS seen, action, reward, next_observation, done, return_to_go FROM read_parquet('${out}/data/*.parquet') ORDER BY step_index`,
    );
    // Messages: system, user, then (assistant, observation) per step; step k saw 2 + 2(k-1) messages.
    assert.deepEqual(
      rows.map((row) => row.seen),
      [2, 4, 6, 8],
    );
    assert.deepEqual(responseMessageIndexes(record), [2, 4, 6, 8]);
    assert.deepEqual(
      rows.map((row) => row.action),
      record.steps.map((step) => step.action),
    );
    assert.deepEqual(
      rows.map((row) => row.done),
      [false, false, false, true],
    );
    // Rewards: steps 1-2 nothing; step 3 validates 20 % over the baseline (+0.2); step 4 submits 50 % over it (+0.5).
    // Return-to-go (γ = 1): 0.7, 0.7, 0.7, 0.5.
    const close = (column: string, expected: number[]) => {
      for (const [i, row] of rows.entries())
        assert.ok(Math.abs((row[column] as number) - expected[i]!) < 1e-9, `${column}[${i}] = ${row[column]}, expected ${expected[i]}`);
    };
    close('reward', [0, 0, 0.2, 0.5]);
    close('return_to_go', [0.7, 0.7, 0.7, 0.5]);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(card, /## Rewards/);
    // The record has no split scores, so the card says its Best Attempt follows MLGym's definition.
    assert.match(card, /## Scores\n\nScore columns hold the held-out score of each episode's final submission \(Best Submission\)\. /);
    assert.match(card, /the best validation score for 0 episodes, and MLGym's best score over every evaluation \(splits mixed\) for 1 episodes/);
    assert.match(card, /bestAttempt:\n\s+validation-selected: 0\n\s+mlgym: 1\n/);
  });

  test('mlgym: run directories named as MLGym names them, readable by the MLGym reader', async () => {
    const source = [episode(0), episode(2)];
    const out = join(tempDir(), 'ml');
    await exportDataset({ inputs: [writeRun(source)], out, format: 'mlgym' });
    const dirs = readdirSync(out)
      .filter((name) => name !== 'README.md')
      .sort();
    assert.deepEqual(dirs, [
      'model-a__task0__default__t-0.00__p-1.00__c-0.00__install-0_run_0',
      'model-a__task2__default__t-0.00__p-1.00__c-0.00__install-0_run_0',
    ]);
    const run = readMlgymRun(join(out, dirs[0]!, 'task0.traj'));
    assert.equal(run.traj.trajectory.length, source[0]!.steps.length);
    assert.deepEqual(run.results?.agent.at(-1), source[0]!.scores.final!.metrics);
  });
});
