/**
 * textClassification: the MultiNLI variant runs from the user's official zip (a generated one here, in
 * MultiNLI 1.0's layout and sizes: multinli_1.0/multinli_1.0_{train,dev_matched,dev_mismatched}.jsonl with
 * every field, __MACOSX resource forks, dev pairs without a gold label), is preferred over the stand-in when the
 * zip is present, and the same baseline.py and evaluator handle its sentence pairs.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BASE_IMAGE, createSandbox } from '../../src/sandbox/index.js';
import { type ResolvedTask, resolveTask, runBaseline, selectVariant } from '../../src/tasks/index.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'labgym-textclassification-'));
const userData = join(root, 'user-data');
const cacheDir = join(root, 'cache');
after(() => rmSync(root, { recursive: true, force: true }));

// Pairs whose label can be read off the hypothesis, so a working pipeline scores near 1.
const MAKE_SAMPLE = `
import json, os, random, zipfile
random.seed(0)
NOUNS = ["cat", "house", "river", "teacher", "car", "garden", "letter", "city"]
ADJECTIVES = ["red", "old", "quiet", "large", "cold", "busy", "new", "dark"]
GENRES = ["fiction", "government", "slate", "telephone", "travel"]
def pair(n, label):
    noun, adjective = random.choice(NOUNS), random.choice(ADJECTIVES)
    premise = "The %s near the station is %s, said witness %d." % (noun, adjective, n)
    hypothesis = {"entailment": "The %s is %s." % (noun, adjective),
                  "contradiction": "The %s is not %s." % (noun, adjective),
                  "neutral": "The %s was bought by a friend." % noun}[label]
    gold = label if n % 54 else "-"  # about 185 of 10000 dev pairs have no gold label
    return {"annotator_labels": [label], "genre": random.choice(GENRES), "gold_label": gold, "pairID": "%de" % n,
            "promptID": str(n), "sentence1": premise, "sentence1_binary_parse": "( %s )" % premise,
            "sentence1_parse": "(ROOT (S %s))" % premise, "sentence2": hypothesis,
            "sentence2_binary_parse": "( %s )" % hypothesis, "sentence2_parse": "(ROOT (S %s))" % hypothesis}
def lines(count, with_unlabelled):
    out = []
    for n in range(1, count + 1):
        record = pair(n, random.choice(["entailment", "neutral", "contradiction"]))
        if not with_unlabelled:
            record["gold_label"] = record["annotator_labels"][0]
        out.append(json.dumps(record))
    return ("\\n".join(out) + "\\n").encode()
dev = lines(10000, True)
assert sum(b'"gold_label": "-"' in line for line in dev.splitlines()) == 185
os.makedirs("/build/user-data", exist_ok=True)
with zipfile.ZipFile("/build/user-data/multinli_1.0.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
    zf.writestr("multinli_1.0/README.txt", "MultiNLI 1.0 (generated for a test)")
    zf.writestr("__MACOSX/multinli_1.0/._multinli_1.0_train.jsonl", b"\\x00\\x05\\x16\\x07 not json")
    zf.writestr("multinli_1.0/multinli_1.0_train.jsonl", lines(392702, False))
    zf.writestr("multinli_1.0/multinli_1.0_dev_matched.jsonl", dev)
    zf.writestr("multinli_1.0/multinli_1.0_dev_mismatched.jsonl", lines(100, True))
print(os.path.getsize("/build/user-data/multinli_1.0.zip"))
`;

async function makeSample(): Promise<void> {
  const sandbox = await createSandbox({ image: BASE_IMAGE, shellUser: 'root' });
  try {
    const result = await sandbox.exec(`python3 - <<'EOF'\n${MAKE_SAMPLE}\nEOF`, { timeoutMs: 300_000, outputLimitBytes: 20_000 });
    assert.equal(result.exitCode, 0, result.output);
    await sandbox.copyOut('/build/user-data', root);
  } finally {
    await sandbox.close();
  }
}

function csvLines(path: string): string[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n');
}

describe('textClassification:mnli (user-supplied MultiNLI zip)', () => {
  let task: ResolvedTask;

  before(async () => {
    await makeSample();
    const prepared = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'tasks', 'prepare', 'textClassification', '--json'], {
      env: { ...process.env, LABGYM_USER_DATA: userData, LABGYM_CACHE: cacheDir },
      timeout: 900_000,
    });
    const rows = JSON.parse(prepared.stdout) as Array<{ task: string; datasets: Array<{ id: string }> }>;
    assert.equal(rows[0]!.task, 'textClassification:mnli');
    assert.deepEqual(
      rows[0]!.datasets.map((dataset) => dataset.id),
      ['mnli'],
    );
    task = await resolveTask('textClassification', { userDataDir: userData, cacheDir, scale: 'reduced' });
  });

  test('the MultiNLI variant is preferred when the zip is present, and the stand-in runs otherwise', () => {
    assert.equal(task.variant, 'mnli');
    assert.equal(task.ref, 'textClassification:mnli');
    assert.equal(task.baseline, undefined, 'no baseline is claimed for data not measured here');
    assert.match(task.envTask.description, /premise/);
    const standIn = selectVariant('textClassification', undefined, join(root, 'empty'));
    assert.equal(standIn.variant, undefined);
    assert.deepEqual(standIn.config.dataset_configs, ['textClassification']);
  });

  test('prepared as sentence pairs: all training pairs, dev_matched without unlabelled pairs as test.csv', () => {
    const publicDir = task.datasets[0]!.publicDir;
    const train = csvLines(join(publicDir, 'train.csv'));
    assert.equal(train[0], 'id,genre,premise,hypothesis,label');
    assert.equal(train.length - 1, 392702);
    const testRows = csvLines(join(publicDir, 'test.csv'));
    assert.equal(testRows[0], 'id,genre,premise,hypothesis');
    assert.equal(testRows.length - 1, 9815);
    const answers = ['validation', 'test'].map((split) => csvLines(join(task.datasets[0]!.hiddenDirs[split]!, 'answers.csv')).slice(1));
    assert.deepEqual(
      answers.map((rows) => rows.length),
      [4908, 4907],
    );
    const labels = new Set(answers.flat().map((row) => row.split(',')[1]));
    assert.deepEqual([...labels].sort(), ['contradiction', 'entailment', 'neutral']);
    const validationIds = new Set(answers[0]!.map((row) => row.split(',')[0]));
    assert.ok(
      answers[1]!.every((row) => !validationIds.has(row.split(',')[0])),
      'validation and test hold different pairs',
    );
  });

  test('the shipped baseline and evaluator handle the pairs (reduced scale)', async () => {
    const result = await runBaseline(task);
    assert.equal(result.exitCode, 0, result.outputTail);
    assert.match(result.outputTail, /text columns \['genre', 'premise', 'hypothesis'\], 20000 training rows/);
    for (const record of [result.validation, result.test]) {
      assert.equal(record.failure, undefined, record.failure?.message);
      assert.ok(record.score! > 0.9, `${record.split} accuracy ${record.score}`);
    }
    assert.deepEqual([result.validation.split, result.test.split], ['validation', 'test']);
  });
});
