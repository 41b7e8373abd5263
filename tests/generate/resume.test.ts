/**
 * Exactly-once under crashes: a 48-episode run (cheap tasks at the reduced scale, 3 steps each) is killed with
 * SIGKILL at random moments five times, each time resumed with `labgym generate --resume`, and then run to the
 * end. The run directory must hold exactly 48 unique complete episodes; a torn last line is detected and
 * dropped, never counted; containers of killed processes are removed by Docker (their lifelines).
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { dockerClient, LABELS } from '../../src/sandbox/docker/index.js';
import { readJournal, readRunEpisodes } from '../../src/store/index.js';

function generate(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'generate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

test('kill -9 five times during a 48-episode run, then --resume: exactly 48 unique complete episodes', { timeout: 1_500_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-resume-'));
  try {
    const specFile = join(out, 'spec.yaml');
    await writeFile(
      specFile,
      stringify({
        schemaVersion: 1,
        name: 'crash',
        tasks: ['numberGuess', 'battleOfSexes', 'prisonersDilemma'],
        models: [{ name: 'scripted' }],
        seeds: { count: 8 },
        attempts: 2,
        scale: 'reduced',
        agent: { maxSteps: 3 },
        concurrency: { episodes: 8 },
        resources: { gpus: 'none' },
        warmPool: { perImage: 1 },
        output: { dir: join(out, 'runs') },
      }),
    );

    // First process: killed once its run directory exists and a few seconds have passed.
    let run = generate(['-c', specFile]);
    let runDir: string | undefined;
    const killedPids: number[] = [];
    let random = 12345;
    const nextDelay = () => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % 4000;
    };
    let complete = 0;
    for (let kill = 0; kill < 5; kill++) {
      if (!runDir) {
        for (let i = 0; i < 600 && !runDir; i++) {
          await sleep(200);
          const names = await readdir(join(out, 'runs')).catch(() => []);
          if (names[0]) runDir = join(out, 'runs', names[0]);
        }
        assert.ok(runDir, `the run directory appears\n${run.output()}`);
      }
      // Kill while episodes are being written: once this process has stored one, after a random 0-4 s more.
      for (let i = 0; i < 1200 && (await readRunEpisodes(runDir)).records.length <= complete; i++) await sleep(250);
      await sleep(nextDelay());
      const finishedEarly = await Promise.race([run.exited.then(() => true), sleep(0).then(() => false)]);
      assert.equal(finishedEarly, false, `the run must still be going when killed (kill ${kill + 1})\n${run.output()}`);
      killedPids.push(run.child.pid!);
      run.child.kill('SIGKILL');
      await run.exited;
      const read = await readRunEpisodes(runDir);
      complete = read.records.length;
      console.log(`kill ${kill + 1}: ${complete} complete episodes so far, ${read.problems.length} torn line(s) dropped`);
      assert.ok(complete < 48, 'killed before the end');
      run = generate(['--resume', runDir]);
    }
    const code = await run.exited;
    assert.equal(code, 0, run.output());

    const { records, problems, duplicates } = await readRunEpisodes(runDir!);
    assert.equal(records.length, 48, 'exactly 48 complete episodes');
    assert.equal(new Set(records.map((record) => record.episodeId)).size, 48);
    assert.equal(duplicates, 0, 'no episode was stored twice');
    assert.ok(
      problems.every((problem) => problem.torn),
      `only torn last lines, if any: ${problems.map((p) => p.error.message).join('; ')}`,
    );
    const journal = await readJournal(runDir!);
    assert.equal(journal.filter((entry) => entry.event === 'run-resumed').length, 5);
    assert.equal(journal.at(-1)?.event, 'run-ended');
    assert.ok(!existsSync(join(runDir!, '.lock')), 'the locks of killed writers were taken over, the last one released');

    // The killed processes' containers go away by themselves (lifeline); give Docker a moment.
    for (let i = 0; i < 50; i++) {
      const left = (await dockerClient().listContainers({ all: true, filters: { label: [LABELS.sandbox] } })).filter((container) =>
        killedPids.includes(Number(container.Labels[LABELS.ownerPid])),
      );
      if (!left.length) break;
      assert.ok(i < 49, `containers of killed processes remain: ${left.map((container) => container.Id).join(', ')}`);
      await sleep(200);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('Ctrl-C stops scheduling, lets running episodes finish, exits 130 with a summary; --resume finishes the rest', { timeout: 900_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-sigint-'));
  try {
    const specFile = join(out, 'spec.yaml');
    await writeFile(
      specFile,
      stringify({
        schemaVersion: 1,
        name: 'sigint',
        tasks: ['numberGuess'],
        models: [{ name: 'scripted' }],
        seeds: { count: 12 },
        scale: 'reduced',
        agent: { maxSteps: 3 },
        concurrency: { episodes: 3 },
        resources: { gpus: 'none' },
        output: { dir: join(out, 'runs') },
      }),
    );
    const run = generate(['-c', specFile, '--json']);
    let runDir: string | undefined;
    for (let i = 0; i < 2400; i++) {
      await sleep(250);
      const names = await readdir(join(out, 'runs')).catch(() => []);
      runDir = names[0] ? join(out, 'runs', names[0]) : undefined;
      if (runDir && (await readRunEpisodes(runDir)).records.length >= 1) break;
    }
    assert.ok(runDir);
    run.child.kill('SIGINT');
    const code = await run.exited;
    assert.equal(code, 130, run.output());
    const summary = JSON.parse(run.output().slice(run.output().indexOf('{\n')));
    assert.equal(summary.outcome, 'interrupted');
    assert.ok(summary.skipped > 0, 'episodes not yet started were not started');
    assert.equal(summary.failed, 0, 'running episodes finished');
    const { records, problems } = await readRunEpisodes(runDir);
    assert.deepEqual(problems, []);
    assert.equal(records.length, summary.alreadyDone + summary.done);
    assert.equal((await readJournal(runDir)).at(-1)?.event, 'run-ended');
    assert.ok(!existsSync(join(runDir, '.lock')), 'Ctrl-C releases the run lock');

    const resumed = generate(['--resume', runDir]);
    assert.equal(await resumed.exited, 0, resumed.output());
    assert.equal((await readRunEpisodes(runDir)).records.length, 12);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
