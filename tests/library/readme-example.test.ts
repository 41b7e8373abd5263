/**
 * The README's library example, run exactly as written: the code block between the library-example markers is
 * copied into a file inside the package (so `import 'labgym'` resolves through package.json `exports` to dist/)
 * and run in a fresh folder; its outputs are then checked with independent readers.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/assets.js';
import { EpisodeRecordSchema } from '../../src/store/index.js';
import { duckdbQuery } from '../export/helpers.js';

const run = promisify(execFile);

function readmeExample(): string {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const block = /<!-- library-example -->\s*```ts\n([\s\S]*?)```\s*<!-- \/library-example -->/.exec(readme);
  assert.ok(block, 'README.md has a ```ts block between <!-- library-example --> markers');
  return block[1]!;
}

test('the README library example runs as written and its run and dataset read back', { timeout: 600_000 }, async () => {
  const code = readmeExample();
  assert.match(code, /from 'labgym'/, 'the example imports the package by its name');
  const scriptDir = await mkdtemp(join(PROJECT_ROOT, '.tmp-readme-example-'));
  const workDir = await mkdtemp(join(tmpdir(), 'labgym-readme-'));
  try {
    const script = join(scriptDir, 'example.ts');
    await writeFile(script, code);
    const { stdout } = await run(process.execPath, ['--import', import.meta.resolve('tsx'), script], { cwd: workDir, timeout: 540_000 });

    const lines = readFileSync(join(workDir, 'runs/library-example/episodes.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const record = EpisodeRecordSchema.parse(JSON.parse(lines[0]!));
    assert.equal(record.task.id, 'numberGuess');
    assert.match(stdout, new RegExp(`episode ${record.episodeId}: ${record.exitReason}, final score ${record.scores.final?.score}`));
    assert.match(stdout, /best submission: \{"scripted":-?\d/);

    const exported = /exported (\d+) rows to (\S+)/.exec(stdout);
    assert.ok(exported, stdout);
    const parquet = (await readdir(exported[2]!, { recursive: true })).filter((name) => name.endsWith('.parquet'));
    const rows = await duckdbQuery(`SELECT count(*)::INTEGER AS n FROM read_parquet([${parquet.map((name) => `'${join(exported[2]!, name)}'`).join(',')}])`);
    assert.equal(rows[0]!.n, Number(exported[1]));
    assert.equal(Number(exported[1]), record.exitStatus === 'submitted' ? 1 : 0);
    assert.ok(existsSync(join(exported[2]!, 'README.md')), 'the dataset has its card');
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
});
