/**
 * One writer per run folder: a second `generate --resume` on a live run is refused naming the owner, a lock left by
 * a killed process is taken over, and episodes that ended exit_api with the endpoint unreachable run again on resume
 * (kept with --no-retry-api). Tiny runs: numberGuess at the reduced scale, 2–3 episodes of 3 steps.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { stringify } from 'yaml';
import { loadGenerationSpec } from '../../src/config/generation-spec.js';
import { generate } from '../../src/generate/index.js';
import { isEndpointUnreachable } from '../../src/models/index.js';
import { readJournal, readRunEpisodes } from '../../src/store/index.js';

function labgym(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'generate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function writeSpec(out: string, changes: Record<string, unknown> = {}): Promise<string> {
  const file = join(out, 'spec.yaml');
  const spec = {
    schemaVersion: 1,
    name: 'lock',
    tasks: ['numberGuess'],
    models: [{ name: 'scripted' }],
    seeds: { count: 3 },
    scale: 'reduced',
    agent: { maxSteps: 3 },
    concurrency: { episodes: 1 },
    resources: { gpus: 'none' },
    warmPool: { perImage: 0, evaluators: 0 },
    output: { dir: join(out, 'runs') },
    ...changes,
  };
  await writeFile(file, stringify(spec));
  return file;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    if (await check()) return;
    await sleep(250);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a second resume on a live run is refused naming its owner; a dead owner’s lock is taken over', { timeout: 600_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-lock-'));
  try {
    // The first writer is killed once it has stored an episode: its lock stays behind, stale.
    const first = labgym(['-c', await writeSpec(out)]);
    let runDir = '';
    await waitFor('the first episode', async () => {
      const names = await readdir(join(out, 'runs')).catch(() => []);
      runDir = names[0] ? join(out, 'runs', names[0]) : '';
      return runDir !== '' && (await readRunEpisodes(runDir)).records.length >= 1;
    });
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(JSON.parse(await readFile(join(runDir, '.lock'), 'utf8')).pid, first.child.pid, 'the killed writer left its lock');

    const resume = labgym(['--resume', runDir]);
    await waitFor('the resume to take the lock', async () => {
      const owner = await readFile(join(runDir, '.lock'), 'utf8').catch(() => '{}');
      return JSON.parse(owner || '{}').pid === resume.child.pid;
    });
    const second = labgym(['--resume', runDir]);
    assert.equal(await second.exited, 2, second.output());
    assert.match(
      second.output(),
      new RegExp(
        `^labgym: run ${runDir.split('/').pop()} is being written by pid ${resume.child.pid} on host ${hostname()} since \\S+; wait for it or stop it\\n$`,
      ),
    );

    assert.equal(await resume.exited, 0, resume.output());
    assert.ok(!existsSync(join(runDir, '.lock')), 'the lock is released on exit');
    const { records, duplicates } = await readRunEpisodes(runDir);
    assert.equal(records.length, 3);
    assert.equal(new Set(records.map((record) => record.episodeId)).size, 3, 'every episode exactly once');
    assert.equal(duplicates, 0);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('an unreachable endpoint is told apart from a refused request', () => {
  assert.ok(isEndpointUnreachable(new APIConnectionError({ message: 'Connection error.' })));
  assert.ok(isEndpointUnreachable(new APIConnectionTimeoutError()));
  assert.ok(isEndpointUnreachable(APIError.generate(503, undefined, 'down', new Headers())));
  assert.ok(!isEndpointUnreachable(APIError.generate(404, { error: { message: 'no such model' } }, undefined, new Headers())));
  assert.ok(!isEndpointUnreachable(APIError.generate(401, undefined, 'bad key', new Headers())));
});

test('exit_api episodes of an unreachable endpoint run again on resume; --no-retry-api keeps them', { timeout: 600_000 }, async () => {
  const out = await mkdtemp(join(tmpdir(), 'labgym-retry-api-'));
  try {
    // Nothing listens on port 9: every model call is refused, every episode ends exit_api.
    const unreachable = { name: 'scripted', baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 0, timeoutSeconds: 5 };
    const specFile = await writeSpec(out, { seeds: { count: 2 }, models: [unreachable] });
    const first = await generate({ spec: loadGenerationSpec(specFile), source: specFile });
    assert.equal(first.done, 2);
    const before = (await readRunEpisodes(first.runDir)).records;
    assert.deepEqual(
      before.map((record) => record.exitReason),
      ['exit_api', 'exit_api'],
    );
    assert.ok(before.every((record) => record.steps.at(-1)?.modelCall?.unreachable === true));

    // The endpoint comes back: the saved spec now uses the built-in policy server (same model, same episode ids).
    const saved = join(first.runDir, 'spec.yaml');
    await writeFile(saved, (await readFile(saved, 'utf8')).replace(/\n\s+baseUrl: http:\/\/127\.0\.0\.1:9\/v1/, ''));
    const resumeSpec = loadGenerationSpec(saved);
    assert.equal(resumeSpec.models[0]!.baseUrl, undefined);

    const kept = await generate({ spec: resumeSpec, source: saved, resumeDir: first.runDir, retryApi: false });
    assert.equal(kept.done, 0, '--no-retry-api keeps them');
    assert.equal(kept.alreadyDone, 2);

    const retried = await generate({ spec: resumeSpec, source: saved, resumeDir: first.runDir });
    assert.equal(retried.done, 2, 'both run again');
    const { records, duplicates } = await readRunEpisodes(first.runDir);
    assert.equal(records.length, 2);
    assert.equal(duplicates, 0);
    assert.ok(records.every((record) => record.exitReason !== 'exit_api'));
    const superseded = (await readJournal(first.runDir)).filter((entry) => entry.event === 'episode-superseded');
    assert.equal(superseded.length, 2, 'the replaced records are journalled');
    for (const entry of superseded) if (entry.event === 'episode-superseded') assert.match(await readFile(entry.keptAs, 'utf8'), /"exitReason":"exit_api"/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
