/**
 * Sandbox failures during a run. A container killed mid-episode (`docker kill`) ends that episode as a sandbox
 * error; it is tried again and completes, and the other episodes are unaffected. The Docker daemon restarted
 * mid-run (opt-in: LABGYM_TEST_RESTART_DOCKERD=1, since it kills every container on the machine): the run
 * recovers or stops cleanly, with what was written intact and resumable.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseGenerationSpec } from '../../src/config/generation-spec.js';
import { generate } from '../../src/generate/index.js';
import { dockerClient, pingDocker } from '../../src/sandbox/docker/index.js';
import { type JournalEntry, readJournal, readRunEpisodes } from '../../src/store/index.js';

const spec = (out: string, extra: Record<string, unknown> = {}) =>
  parseGenerationSpec('test', {
    schemaVersion: 1,
    name: 'failures',
    tasks: ['numberGuess'],
    models: [{ name: 'scripted' }],
    seeds: { count: 4 },
    scale: 'reduced',
    agent: { maxSteps: 8 },
    concurrency: { episodes: 4 },
    resources: { gpus: 'none' },
    output: { dir: out },
    ...extra,
  });

const triesOf = (journal: JournalEntry[], episodeId: string) =>
  journal.flatMap((entry) =>
    'episodeId' in entry && entry.episodeId === episodeId && (entry.event === 'episode-finished' || entry.event === 'episode-failed') ? [entry] : [],
  );

test('a container killed mid-episode ends that episode as a sandbox error; it is retried; the others are unaffected', { timeout: 600_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-kill-'));
  try {
    let victim: string | undefined;
    const summary = await generate({
      spec: spec(out),
      source: 'test',
      onEpisodeStart: ({ episodeId, try: attempt, sandboxId }) => {
        if (victim || attempt !== 1) return;
        victim = episodeId;
        void dockerClient().getContainer(sandboxId).kill();
      },
    });
    assert.ok(victim);
    assert.equal(summary.outcome, 'completed', JSON.stringify(summary.failures));
    assert.equal(summary.done, 4);
    assert.equal(summary.retries, 1);
    const journal = await readJournal(summary.runDir);
    const tries = triesOf(journal, victim!);
    assert.deepEqual(
      tries.map((entry) => [entry.event, entry.try]),
      [
        ['episode-failed', 1],
        ['episode-finished', 2],
      ],
    );
    assert.match(tries[0]!.event === 'episode-failed' ? tries[0]!.error : '', /SandboxUnavailableError/);
    const failedRecord = JSON.parse(await readFile(join(summary.runDir, 'artifacts', victim!, 'try-1.record.json'), 'utf8'));
    assert.equal(failedRecord.exitStatus, 'sandbox_error');
    const { records } = await readRunEpisodes(summary.runDir);
    assert.equal(records.length, 4);
    for (const record of records) {
      assert.equal(record.exitStatus, 'submitted');
      if (record.episodeId !== victim)
        assert.deepEqual(
          triesOf(journal, record.episodeId).map((entry) => entry.try),
          [1],
          'the others ran once',
        );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

/** Restart dockerd the way scripts/ensure-docker.sh starts it. */
async function restartDockerd(): Promise<void> {
  const pid = execFileSync('pidof', ['dockerd']).toString().trim().split(/\s+/)[0]!;
  process.kill(Number(pid), 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(Number(pid), 0);
      await sleep(200);
    } catch {
      break;
    }
  }
  // As scripts/ensure-docker.sh starts it.
  const daemon = spawn('sh', ['-c', 'nohup dockerd --bridge=none --iptables=false --ip6tables=false >>/var/log/labgym-dockerd.log 2>&1 &'], {
    detached: true,
    stdio: 'ignore',
  });
  daemon.unref();
  for (let i = 0; i < 150; i++) {
    try {
      await pingDocker();
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error('dockerd did not come back');
}

test('the Docker daemon restarted mid-run: the run recovers, everything written stays intact, and a resume completes it', {
  timeout: 900_000,
  skip: process.env.LABGYM_TEST_RESTART_DOCKERD !== '1' && 'restarts dockerd (kills every container on the machine); set LABGYM_TEST_RESTART_DOCKERD=1',
}, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-dockerd-'));
  try {
    let restarted: Promise<void> | undefined;
    let started = 0;
    const summary = await generate({
      spec: spec(out, { seeds: { count: 8 }, retry: { sandboxErrors: 3 } }),
      source: 'test',
      onEpisodeStart: () => {
        started += 1;
        if (started === 5) restarted = restartDockerd();
      },
    });
    await restarted;
    const { records, problems, duplicates } = await readRunEpisodes(summary.runDir);
    assert.deepEqual(problems, []);
    assert.equal(duplicates, 0);
    assert.equal(records.length, summary.done);
    console.log(`daemon restart: ${summary.outcome}, ${summary.done} done, ${summary.retries} retried, ${summary.failed} failed`);
    if (summary.outcome !== 'completed') {
      const resumed = await generate({ spec: spec(out, { seeds: { count: 8 }, retry: { sandboxErrors: 3 } }), source: 'test', resumeDir: summary.runDir });
      assert.equal(resumed.outcome, 'completed');
    }
    assert.equal((await readRunEpisodes(summary.runDir)).records.length, 8);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
