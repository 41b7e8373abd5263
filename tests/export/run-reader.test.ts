/** The streaming run reader: layouts, dedup by episode id, torn and invalid lines counted and reported, --strict. */

import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EpisodeLineError, type EpisodeRecord, newRunReadReport, streamEpisodes } from '../../src/store/index.js';
import { episode, tempDir, writeRun } from './helpers.js';

async function collect(inputs: string[], strict = false) {
  const report = newRunReadReport();
  const records: EpisodeRecord[] = [];
  for await (const record of streamEpisodes(inputs, report, { strict })) records.push(record);
  return { records, report };
}

describe('run reader', () => {
  test('reads episodes/*.jsonl shards in name order, a labgym run folder, a file, and a folder of runs', async () => {
    const run = writeRun([episode(0), episode(1)], '00000');
    writeFileSync(join(run, 'episodes', '00001.jsonl'), `${JSON.stringify(episode(2))}\n`);
    assert.deepEqual(
      (await collect([run])).records.map((r) => r.episodeId),
      [episode(0).episodeId, episode(1).episodeId, episode(2).episodeId],
    );

    const single = tempDir();
    writeFileSync(join(single, 'episodes.jsonl'), `${JSON.stringify(episode(3))}\n`);
    assert.equal((await collect([single])).records[0]!.episodeId, episode(3).episodeId);
    assert.equal((await collect([join(single, 'episodes.jsonl')])).records.length, 1);

    const runs = tempDir();
    mkdirSync(join(runs, 'a', 'episodes'), { recursive: true });
    writeFileSync(join(runs, 'a', 'episodes', 'x.jsonl'), `${JSON.stringify(episode(4))}\n`);
    mkdirSync(join(runs, 'b'));
    writeFileSync(join(runs, 'b', 'episodes.jsonl'), `${JSON.stringify(episode(5))}\n`);
    assert.equal((await collect([runs])).records.length, 2);
  });

  test('dedupes by episode id (first complete record wins) and skips sandbox_error records', async () => {
    const first = episode(0);
    const retry = episode(0, (r) => (r.exitStatus = 'autosubmission (max_steps)'));
    const infra = episode(1, (r) => (r.exitStatus = 'sandbox_error'));
    const run = writeRun([infra, first, retry, episode(1)]);
    const { records, report } = await collect([run]);
    assert.deepEqual(
      records.map((r) => [r.episodeId, r.exitStatus]),
      [
        [first.episodeId, 'submitted'],
        [episode(1).episodeId, 'submitted'],
      ],
    );
    assert.equal(report.duplicates, 1);
    assert.equal(report.incomplete, 1);
  });

  test('torn and invalid lines are counted, reported with file:line and skipped', async () => {
    const bad = { ...episode(1), usage: { ...episode(1).usage, totalTokens: -3 } };
    const run = writeRun([episode(0), '{"not": "an episode"}', JSON.stringify(bad), 'garbage{', episode(2)]);
    const file = join(run, 'episodes', '00000.jsonl');
    appendFileSync(file, JSON.stringify(episode(3)).slice(0, 200)); // torn last line: no newline
    const { records, report } = await collect([run]);
    assert.equal(records.length, 2);
    assert.equal(report.lines, 6);
    assert.deepEqual(
      report.problems.map((p) => [p.line, p.torn]),
      [
        [2, false],
        [3, false],
        [4, false],
        [6, true],
      ],
    );
    assert.match(report.problems[0]!.message, new RegExp(`^${file}:2: schemaVersion: expected`));
    assert.match(report.problems[1]!.message, new RegExp(`^${file}:3: usage\\.totalTokens: `));
    assert.match(report.problems[2]!.message, /:4: expected one JSON object per line/);
    assert.match(report.problems[3]!.message, /:6: expected a complete last line \(this one is torn/);
  });

  test('--strict fails on the first bad line, naming file:line', async () => {
    const run = writeRun([episode(0), '{"schemaVersion": 1}', episode(1)]);
    await assert.rejects(collect([run], true), (error: unknown) => {
      assert.ok(error instanceof EpisodeLineError);
      assert.equal(error.line, 2);
      assert.match(error.message, new RegExp(`^${join(run, 'episodes', '00000.jsonl')}:2: .*--strict`));
      return true;
    });
  });

  test('a missing path or an empty folder is one clear error', async () => {
    await assert.rejects(collect(['/nonexistent/run']), /\/nonexistent\/run: \(root\): expected an episode file or a run directory/);
    await assert.rejects(collect([tempDir()]), /expected a run directory/);
  });
});
