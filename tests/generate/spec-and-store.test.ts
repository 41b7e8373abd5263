/**
 * The generation spec's errors (one line naming the file and the field) and the run store's guarantees
 * (deterministic episode ids, first complete record per id, torn last lines dropped, journal order).
 * No Docker here.
 */

import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadGenerationSpec, seedList } from '../../src/config/generation-spec.js';
import { ConfigError } from '../../src/errors.js';
import { expandJobs } from '../../src/generate/index.js';
import { EPISODE_SCHEMA_VERSION, type EpisodeRecord, episodeIdOf, exitReasonOf, RunStore, readRunEpisodes } from '../../src/store/index.js';

async function specFile(dir: string, text: string): Promise<string> {
  const file = join(dir, 'spec.yaml');
  await writeFile(file, text);
  return file;
}

test('a bad spec is one ConfigError naming the file and the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labgym-spec-'));
  try {
    const base = 'schemaVersion: 1\ntasks: [numberGuess]\nmodels: [{ name: scripted }]\nseeds: [0, 1]\n';
    const cases: [string, RegExp][] = [
      [`${base}concurrency: { episodes: 0 }\n`, /spec\.yaml: concurrency\.episodes: expected .*>0.*got 0|spec\.yaml: concurrency\.episodes: .*0/],
      [`${base}agent: { history: last0 }\n`, /spec\.yaml: agent\.history: expected last<N>/],
      [`${base}colour: red\n`, /spec\.yaml: \(root\): expected no field "colour"/],
      [base.replace('seeds: [0, 1]\n', ''), /spec\.yaml: seeds: expected/],
      [`${base}resources: { gpus: [{ index: 0, uuid: "0000" }] }\n`, /spec\.yaml: resources\.gpus/],
      ['schemaVersion: 1\ntasks: [a\n', /spec\.yaml: line \d+:\d+: expected valid YAML/],
    ];
    for (const [text, pattern] of cases) {
      const file = await specFile(dir, text);
      assert.throws(
        () => loadGenerationSpec(file),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.match(error.message, pattern);
          assert.equal(error.message.includes('\n'), false, 'one line');
          return true;
        },
      );
    }
    const spec = loadGenerationSpec(await specFile(dir, `${base}attempts: 2\n`));
    assert.deepEqual(seedList(spec), [0, 1]);
    assert.equal(spec.concurrency.episodes, 4, 'defaults are applied');
    assert.equal(expandJobs(spec, 'h').length, 4);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('episode ids are deterministic in (task, model, seed, attempt) and distinct across them', () => {
  const job = { task: 'numberGuess', model: 'scripted', seed: 3, attempt: 1 };
  assert.equal(episodeIdOf(job), episodeIdOf({ ...job }));
  assert.match(episodeIdOf(job), /^numberGuess-s3-a1-[0-9a-f]{12}$/);
  const ids = new Set([
    episodeIdOf(job),
    episodeIdOf({ ...job, seed: 4 }),
    episodeIdOf({ ...job, attempt: 0 }),
    episodeIdOf({ ...job, model: 'gpt' }),
    episodeIdOf({ ...job, task: 'titanic' }),
  ]);
  assert.equal(ids.size, 5);
});

test('the run store keeps the first complete record per id, skips sandbox errors, and drops a torn last line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labgym-store-'));
  try {
    const store = await RunStore.create(join(dir, 'run-1'), 'schemaVersion: 1\n');
    const record = (episodeId: string, exitStatus = 'submitted'): EpisodeRecord => ({
      schemaVersion: EPISODE_SCHEMA_VERSION,
      episodeId,
      source: 'labgym',
      task: { id: 'numberGuess' },
      model: { name: 'scripted', sampling: {} },
      agent: { responseFormat: 'mlgym', historyProcessor: 'last_n_observations(5)', maxRequeries: 3 },
      limits: {},
      messages: [],
      steps: [],
      exitStatus,
      exitReason: exitReasonOf(exitStatus),
      scores: { validations: [] },
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, calls: 0, retries: 0, costUsd: 0, usageEstimated: false, gpuSeconds: 0 },
      integrity: { evaluatorHashes: [], evaluatedOutsideAgentSandbox: true },
    });
    await store.appendEpisode(record('a'));
    await store.appendEpisode(record('b', 'sandbox_error'));
    await store.appendEpisode(record('a', 'autosubmission (max_steps)'));
    await appendFile(store.shardFile, JSON.stringify(record('c')).slice(0, 40)); // killed mid-write
    await store.journal({ event: 'episode-started', episodeId: 'a', try: 1 });
    await appendFile(store.journalFile, '{"at":"2026'); // torn journal line
    await store.close();

    const reopened = await RunStore.open(store.dir);
    await reopened.journal({ event: 'episode-started', episodeId: 'c', try: 1 });
    await reopened.appendEpisode(record('c'));
    await reopened.close();

    const { records, problems, duplicates } = await readRunEpisodes(store.dir);
    assert.deepEqual(records.map((r) => [r.episodeId, r.exitStatus]).sort(), [
      ['a', 'submitted'],
      ['c', 'submitted'],
    ]);
    assert.equal(duplicates, 1);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.torn, true);
    const journal = await reopened.readJournal();
    assert.deepEqual(
      journal.map((entry) => 'episodeId' in entry && entry.episodeId),
      ['a', 'c'],
      'a torn journal line is dropped, later events survive',
    );
    await assert.rejects(RunStore.open(join(dir, 'nope')), /nope: spec\.yaml: expected a run directory/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
