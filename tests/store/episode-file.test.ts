import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  appendEpisode,
  type EpisodeRecord,
  episodeJsonSchema,
  fromMlgymRun,
  JsonlAppender,
  newRunReadReport,
  RunStore,
  readEpisodeFile,
  readEpisodeFileStrict,
  readEpisodeLines,
  readJournal,
  readLines,
  readMlgymRun,
  streamEpisodes,
  toMlgymRun,
} from '../../src/store/index.js';

const FIXTURE = new URL('../fixtures/mlgym/scripted__numberGuess__run_0/numberGuess.traj', import.meta.url).pathname;
const importFixture = (episodeId = 'ep-1'): EpisodeRecord => fromMlgymRun(readMlgymRun(FIXTURE), { taskId: 'numberGuess', episodeId, modelName: 'scripted' });

describe('episode JSONL file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'labgym-store-'));
  after(() => rm(dir, { recursive: true, force: true }));

  test('records appended one per line read back equal and valid', async () => {
    const file = join(dir, 'roundtrip.jsonl');
    const records = [importFixture('ep-1'), importFixture('ep-2')];
    for (const record of records) await appendEpisode(file, record);
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n').length, 3, 'two lines and a final newline');
    const read = await readEpisodeFile(file);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.records, records);
  });

  test('a torn last line is reported, not fatal, and the next record starts on a fresh line', async () => {
    const file = join(dir, 'torn.jsonl');
    await appendEpisode(file, importFixture('ep-1'));
    await appendFile(file, JSON.stringify(importFixture('ep-2')).slice(0, 300));
    const torn = await readEpisodeFile(file);
    assert.equal(torn.records.length, 1);
    assert.equal(torn.problems.length, 1);
    assert.equal(torn.problems[0]!.torn, true);
    assert.equal(torn.problems[0]!.line, 2);
    assert.match(torn.problems[0]!.error.message, /torn\.jsonl:2: .*torn/);

    await appendEpisode(file, importFixture('ep-3'));
    const after = await readEpisodeFile(file);
    assert.deepEqual(
      after.records.map((record) => record.episodeId),
      ['ep-1', 'ep-3'],
    );
    assert.equal(after.problems[0]!.torn, false, 'no longer the last line');
  });

  test('an invalid record names the file, line and field', async () => {
    const file = join(dir, 'invalid.jsonl');
    const bad = { ...importFixture(), steps: importFixture().steps.map((step, i) => (i === 1 ? { ...step, reward: 'high' } : step)) };
    await appendFile(file, `${JSON.stringify(importFixture())}\n${JSON.stringify(bad)}\n`);
    const read = await readEpisodeFile(file);
    assert.equal(read.records.length, 1);
    assert.match(read.problems[0]!.error.message, /invalid\.jsonl:2: steps\[1\]\.reward: expected a number, got "high"/);
    await assert.rejects(
      readEpisodeFileStrict(file),
      (error: unknown) => error instanceof ConfigError && /invalid\.jsonl:2: steps\[1\]\.reward/.test(error.message),
    );
    await assert.rejects(appendEpisode(join(dir, 'never.jsonl'), bad as unknown as EpisodeRecord), /reward/, 'nothing invalid is written');
  });

  test('a version 1 line reads as version 2: exit reason from the status string, timeouts from the observation', async () => {
    const file = join(dir, 'v1.jsonl');
    // A version 1 record as labgym 0.x wrote it: no exitReason, no timedOut, the timeout only in the observation text.
    const v1 = JSON.parse(JSON.stringify(importFixture('old'))) as Record<string, unknown> & { steps: Record<string, unknown>[] };
    v1.schemaVersion = 1;
    delete v1.exitReason;
    v1.exitStatus = 'autosubmission (max_steps)';
    v1.steps[1]!.observation = 'EXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN 60 SECONDS.';
    for (const step of v1.steps) delete step.timedOut;
    await appendFile(file, `${JSON.stringify(v1)}\n`);

    const { records, problems } = await readEpisodeFile(file);
    assert.deepEqual(problems, []);
    assert.equal(records[0]!.schemaVersion, 2);
    assert.equal(records[0]!.exitReason, 'max_steps');
    assert.equal(records[0]!.exitStatus, 'autosubmission (max_steps)', "MLGym's string is kept beside it");
    assert.deepEqual(
      records[0]!.steps.map((step) => step.timedOut),
      [undefined, 'total', undefined, undefined],
    );

    const streamed: EpisodeRecord[] = [];
    for await (const record of streamEpisodes([file], newRunReadReport())) streamed.push(record);
    assert.equal(streamed[0]!.exitReason, 'max_steps');
    // Writers stay on the current version: a version 1 record is refused.
    await assert.rejects(appendEpisode(join(dir, 'v1-never.jsonl'), v1 as unknown as EpisodeRecord), /schemaVersion/);
  });

  test('one reader: blank lines skipped, line numbers kept; a missing file is a ConfigError', async () => {
    const file = join(dir, 'blank.jsonl');
    await appendFile(file, `\n${JSON.stringify(importFixture('a'))}\n   \n{oops\n`);
    const lines = [];
    for await (const line of readEpisodeLines(file)) lines.push(line);
    assert.deepEqual(
      lines.map((line) => [line.line, 'record' in line]),
      [
        [2, true],
        [4, false],
      ],
    );
    await assert.rejects(
      readEpisodeFile(join(dir, 'absent.jsonl')),
      (error: unknown) =>
        error instanceof ConfigError && /absent\.jsonl: \(root\): expected a readable episode file \(JSON Lines\), got ENOENT/.test(error.message),
    );
  });

  test('one appender: lines in call order, a fresh line after a torn one; the run store uses it for shards and the journal', async () => {
    const file = join(dir, 'appender.jsonl');
    await appendFile(file, '{"a":1}\n{"torn":');
    const appender = new JsonlAppender(file);
    await Promise.all([appender.append('{"b":2}'), appender.append('{"c":3}')]);
    await appender.close();
    assert.equal(await readFile(file, 'utf8'), '{"a":1}\n{"torn":\n{"b":2}\n{"c":3}\n');
    const lines = [];
    for await (const line of readLines(file)) lines.push([line.number, line.text, line.torn]);
    assert.deepEqual(lines, [
      [1, '{"a":1}', false],
      [2, '{"torn":', false],
      [3, '{"b":2}', false],
      [4, '{"c":3}', false],
    ]);

    const store = await RunStore.create(join(dir, 'run'), 'name: x\n');
    await store.journal({ event: 'episode-started', episodeId: 'e', try: 1 });
    await appendFile(store.journalFile, '{"at":"20');
    await store.close();
    const reopened = await RunStore.open(store.dir);
    await reopened.journal({ event: 'episode-started', episodeId: 'e', try: 2 });
    await reopened.appendEpisode(importFixture('r1'));
    await reopened.close();
    await appendFile(reopened.shardFile, JSON.stringify(importFixture('r2')).slice(0, 100));
    await reopened.appendEpisode(importFixture('r3'));
    await reopened.close();
    assert.deepEqual(
      (await readJournal(store.dir)).map((entry) => (entry as { try: number }).try),
      [1, 2],
    );
    const { records, problems } = await reopened.readEpisodes();
    assert.deepEqual(
      records.map((record) => record.episodeId),
      ['r1', 'r3'],
    );
    assert.deepEqual(
      problems.map((problem) => [problem.line, problem.torn]),
      [[2, false]],
    );
  });

  test('the JSON Schema is generated from the zod schema', () => {
    const schema = episodeJsonSchema() as { properties: Record<string, { const?: unknown }>; required: string[] };
    assert.equal(schema.properties.schemaVersion?.const, 2);
    for (const field of ['episodeId', 'task', 'model', 'messages', 'steps', 'exitStatus', 'scores', 'usage']) assert.ok(schema.required.includes(field), field);
  });
});

describe('MLGym .traj conversion', () => {
  test("an import labels validate scores and the final score, and keeps MLGym's usage", () => {
    const record = importFixture();
    assert.equal(record.source, 'mlgym');
    assert.equal(record.exitStatus, 'submitted');
    assert.deepEqual(
      record.steps.map((step) => step.action),
      ['env\n', 'python3 guess.py\n', 'validate\n', 'submit\n'],
    );
    assert.deepEqual(record.scores.validations, [{ step: 3, metrics: { score: -5, split_seen: 1 }, score: -5 }]);
    assert.deepEqual(record.scores.final, { step: 4, metrics: { score: -7, split_seen: 1 }, score: -7 });
    assert.equal(record.scores.best, -5);
    assert.equal(record.scores.baseline, -10);
    assert.equal(record.usage.promptTokens, 8120);
    assert.equal(record.steps.at(-1)!.terminated, true);
    assert.deepEqual(record.steps[0]!.state, { openFile: 'n/a', workingDir: '/home/agent/workspace' });
  });

  test("converting back gives MLGym's trajectory and results unchanged", async () => {
    const original = readMlgymRun(FIXTURE);
    const { traj, results } = toMlgymRun(importFixture());
    assert.deepEqual(traj.trajectory, original.traj.trajectory);
    assert.deepEqual(results, original.results);
    assert.deepEqual(
      traj.history.map((item) => [item.role, item.content, item.action]),
      original.traj.history.map((item) => [item.role, item.content, item.action]),
    );
    assert.equal(traj.info.exit_status, 'submitted');
    assert.deepEqual(traj.info.score, original.traj.info.score);
  });

  test('a bad .traj is one ConfigError naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labgym-traj-'));
    try {
      const file = join(dir, 'bad.traj');
      await appendFile(file, JSON.stringify({ trajectory: [{ action: 'ls' }], history: [], info: {} }));
      assert.throws(
        () => readMlgymRun(file),
        (error: unknown) => error instanceof ConfigError && /bad\.traj: trajectory\[0\]\.response: expected this required field/.test(error.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
