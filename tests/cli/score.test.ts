/** `labgym score` and `labgym import mlgym` through the real CLI: tables, --json, include/exclude, the SVG plot. */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { newRunReadReport, streamEpisodes } from '../../src/store/index.js';
import { episode, tempDir, withFinal, writeRun } from '../export/helpers.js';

function labgym(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** 3 tasks × 2 models; model-a always beats model-b. */
function run(): string {
  return writeRun(
    Array.from({ length: 12 }, (_, i) =>
      episode(i, (r) => {
        r.task.id = `t${i % 3}`;
        r.model.name = i % 2 ? 'model-b' : 'model-a';
        r.episodeId = `e${i}`;
        r.scores.baseline = 1;
        r.scores.validations = [];
        withFinal(r, i % 2 ? 1.1 : 1.5);
      }),
    ),
  );
}

describe('labgym score', () => {
  test('--json: tables, AUP, ranks; the SVG plot is written', () => {
    const dir = tempDir();
    const plot = join(dir, 'plots', 'profile.svg');
    const result = labgym('score', run(), '--json', '--plot', plot);
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(json.models, ['model-a', 'model-b']);
    assert.deepEqual(json.tasks, ['t0', 't1', 't2']);
    assert.deepEqual(json.bestAttempt.tasks[0].scores, { 'model-a': 1.5, 'model-b': 1.1 });
    // model-a is best on every task: ratio 1 everywhere, so its AUP is τ_max (left Riemann sum of ρ ≡ 1).
    assert.equal(json.bestAttempt.aup['model-a'], json.tauMax);
    assert.deepEqual(json.bestAttempt.meanRank, { 'model-a': 1, 'model-b': 2, baseline: 3 });
    const svg = readFileSync(plot, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<path d="M/g) ?? []).length, 6, 'three methods × two panels');
    assert.match(svg, /model-a \(AUP /);
  });

  test('text tables; --models and --exclude-tasks; --tau-max', () => {
    const plot = join(tempDir(), 'p.svg');
    const text = labgym('score', run(), '--plot', plot, '--models', 'model-b', '--exclude-tasks', 't1', '--tau-max', '1');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Best Attempt@k/);
    assert.match(text.stdout, /τ_max 1 \(fixed\)/);
    assert.match(text.stdout, /^t0\s+maximize\s+1\s+1\.1$/m);
    assert.doesNotMatch(text.stdout, /model-a|^t1/m);
    const json = JSON.parse(labgym('score', run(), '--plot', plot, '--json', '--exclude-models', 'model-b', '--tasks', 't0,t2').stdout);
    assert.deepEqual([json.models, json.tasks], [['model-a'], ['t0', 't2']]);
  });

  test("Best Attempt: the best-validated attempt's test score by default, MLGym's best of everything with --mlgym-compatible", () => {
    // One task (baseline 1, maximise), one episode per model. Attempts as (validation, test):
    //   model-a: validate (1.4, 1.2), validate (1.3, 1.6), final (1.35, 1.5) → best validation 1.4 → 1.2; MLGym: max(1.4, 1.3, 1.5) = 1.5.
    //   model-b: no split scores (a version 1 record) → validations 1.1, final 1.3 → 1.3 either way.
    const dir = writeRun([
      episode(0, (r) => {
        r.task.id = 't';
        r.model.name = 'model-a';
        r.scores.baseline = 1;
        r.scores.validations = [
          { step: 1, split: 'validation', score: 1.4, metrics: {}, validationScore: 1.4, testScore: 1.2 },
          { step: 2, split: 'validation', score: 1.3, metrics: {}, validationScore: 1.3, testScore: 1.6 },
        ];
        r.scores.final = { step: 3, split: 'test', score: 1.5, metrics: {}, validationScore: 1.35, testScore: 1.5 };
      }),
      episode(1, (r) => {
        r.task.id = 't';
        r.model.name = 'model-b';
        r.scores.baseline = 1;
        r.scores.validations = [{ step: 1, split: 'validation', score: 1.1, metrics: {} }];
        withFinal(r, 1.3);
      }),
    ]);
    const byDefault = JSON.parse(labgym('score', dir, '--json').stdout);
    assert.equal(byDefault.bestAttemptRule, 'validation-selected');
    assert.equal(byDefault.validationSelectedEpisodes, 1);
    assert.deepEqual(byDefault.bestAttempt.tasks[0].scores, { 'model-a': 1.2, 'model-b': 1.3 });
    assert.deepEqual(byDefault.bestSubmission.tasks[0].scores, { 'model-a': 1.5, 'model-b': 1.3 });
    const mlgym = JSON.parse(labgym('score', dir, '--json', '--mlgym-compatible').stdout);
    assert.equal(mlgym.bestAttemptRule, 'mlgym');
    assert.deepEqual(mlgym.bestAttempt.tasks[0].scores, { 'model-a': 1.5, 'model-b': 1.3 });
    assert.deepEqual(mlgym.bestSubmission.tasks[0].scores, { 'model-a': 1.5, 'model-b': 1.3 });
  });

  test("without --plot the SVG goes next to the run (the run folder, or the episode file's folder), not the current directory", () => {
    const runDir = run();
    const cwd = tempDir();
    const inFolder = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(process.cwd(), 'src/cli/main.ts'), 'score', runDir, '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
      cwd,
    });
    assert.equal(inFolder.status, 0, inFolder.stderr);
    assert.equal(JSON.parse(inFolder.stdout).plot, join(runDir, 'performance-profile.svg'));
    assert.ok(existsSync(join(runDir, 'performance-profile.svg')));
    assert.deepEqual(readdirSync(cwd), [], 'nothing written to the current directory');
    const file = join(runDir, 'episodes', '00000.jsonl');
    assert.equal(JSON.parse(labgym('score', file, '--json').stdout).plot, join(runDir, 'episodes', 'performance-profile.svg'));
  });

  test('bad input: one line, exit 2', () => {
    const result = labgym('score', '/nonexistent', '--plot', join(tempDir(), 'p.svg'));
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^labgym: \/nonexistent: \(root\): expected an episode file or a run directory/);
    assert.match(labgym('score', run(), '--tau-max', '-1').stderr, /--tau-max: expected a positive number/);
  });
});

describe('labgym import mlgym', () => {
  test('imports .traj + results.json run dirs and a results.json-only dir; the store scores', async () => {
    const root = tempDir();
    cpSync('tests/fixtures/mlgym/scripted__numberGuess__run_0', join(root, 'scripted__numberGuess__default__t-0.00__p-0.95__c-4.00__install-0_run_0'), {
      recursive: true,
    });
    const lonely = join(root, 'other-model__numberGuess__default__t-0.50__p-0.95__c-4.00__install-0_run_1');
    mkdirSync(lonely);
    writeFileSync(join(lonely, 'results.json'), JSON.stringify({ agent: [{ score: -9 }, { score: -4 }, { score: -6 }], baseline: { score: -10 } }));
    const out = join(tempDir(), 'imported');
    const result = labgym('import', 'mlgym', root, '--out', out, '--json');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { out, episodes: 2, withoutTrajectory: 1 });
    const records = [];
    for await (const record of streamEpisodes([out], newRunReadReport())) records.push(record);
    assert.deepEqual(
      records.map((r) => [r.model.name, r.task.id, r.source]),
      [
        ['other-model', 'numberGuess', 'mlgym'],
        ['scripted', 'numberGuess', 'mlgym'],
      ],
    );
    assert.equal(records[0]!.model.sampling.temperature, 0.5);
    assert.deepEqual(
      records[0]!.scores.validations.map((v) => v.score),
      [-9, -4],
    );
    assert.equal(records[0]!.scores.final?.score, -6);
    assert.ok(records[1]!.steps.length > 0);

    const score = JSON.parse(labgym('score', out, '--json', '--plot', join(tempDir(), 'p.svg')).stdout);
    // Best attempt: other-model −4 (its best over all), scripted −5; best submission: other-model −6 (its last), scripted −7.
    assert.deepEqual(score.bestAttempt.tasks[0].scores, { 'other-model': -4, scripted: -5 });
    assert.deepEqual(score.bestSubmission.tasks[0].scores, { 'other-model': -6, scripted: -7 });
    assert.equal(existsSync(join(out, 'spec.yaml')), true);
    rmSync(root, { recursive: true });
  });
});
