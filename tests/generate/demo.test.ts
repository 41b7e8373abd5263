/**
 * The demo generation (scripts/demo-spec.yaml): 24 episodes over 4 CPU tasks at the reduced scale, 8 at once,
 * with the scripted policy behind the real policy server and real Docker sandboxes. Everything lands in the
 * run directory, the journal tells each episode's story, and no container is left behind.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadGenerationSpec, parseGenerationSpec } from '../../src/config/generation-spec.js';
import { generate } from '../../src/generate/index.js';
import { dockerClient, LABELS } from '../../src/sandbox/docker/index.js';
import { readJournal, readRunEpisodes } from '../../src/store/index.js';

test('the demo spec runs 24 episodes over 4 tasks at concurrency 8 into one run directory', { timeout: 1_200_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-demo-'));
  try {
    const demo = loadGenerationSpec('scripts/demo-spec.yaml');
    assert.equal(demo.concurrency.episodes, 8);
    const spec = parseGenerationSpec('demo', { ...parse(await readFile('scripts/demo-spec.yaml', 'utf8')), output: { dir: out } });
    const summary = await generate({ spec, source: 'scripts/demo-spec.yaml' });

    assert.equal(summary.outcome, 'completed', JSON.stringify(summary.failures));
    assert.equal(summary.episodes, 24);
    assert.equal(summary.done, 24);
    const { records, problems, duplicates } = await readRunEpisodes(summary.runDir);
    assert.equal(records.length, 24);
    assert.deepEqual(problems, []);
    assert.equal(duplicates, 0);
    assert.equal(new Set(records.map((record) => record.task.id)).size, 4);
    for (const record of records) {
      assert.equal(record.runId, summary.runId);
      assert.ok(record.steps.length > 0);
      assert.ok(record.scores.final !== undefined || record.exitStatus !== 'submitted', `${record.episodeId}: submitted without a final score`);
    }
    assert.ok(records.filter((record) => record.exitStatus === 'submitted').length >= 20, 'the scripted policy submits');

    const journal = await readJournal(summary.runDir);
    const finished = journal.filter((entry) => entry.event === 'episode-finished');
    assert.equal(finished.length, 24);
    for (const entry of finished) {
      if (entry.event !== 'episode-finished') continue;
      assert.ok(entry.stages.totalMs > 0 && entry.stages.modelMs >= 0 && entry.stages.evaluationMs > 0 && entry.stages.commandMs > 0);
    }
    assert.ok(
      finished.some((entry) => entry.event === 'episode-finished' && entry.stages.warmStart),
      'some resets took a warm container',
    );
    assert.equal(journal.at(-1)?.event, 'run-ended');
    const saved = loadGenerationSpec(join(summary.runDir, 'spec.yaml'));
    assert.deepEqual(saved, spec, 'the resolved spec is saved');

    const left = await dockerClient().listContainers({ all: true, filters: { label: [`${LABELS.ownerPid}=${process.pid}`] } });
    assert.deepEqual(
      left.map((container) => container.Id),
      [],
      'every container is removed',
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
