/**
 * captioning: the COCO variant runs from user-supplied archives in COCO's own format (a small generated sample
 * here: the three 2017 zips with real JPEGs and captions JSON), and its evaluator computes BLEU itself: a caption
 * identical to a reference scores 1.0, and a self-reported bleu_score column gains nothing.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { LabgymEnv } from '../../src/env/index.js';
import { BASE_IMAGE, createSandbox } from '../../src/sandbox/index.js';
import { type ResolvedTask, resolveTask, selectVariant } from '../../src/tasks/index.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'labgym-captioning-'));
const userData = join(root, 'user-data');
const cacheDir = join(root, 'cache');
const env = new LabgymEnv({ maxSteps: 20 });
after(async () => {
  await env.close();
  rmSync(root, { recursive: true, force: true });
});

// Every val2017 image of the sample has these captions, so the test knows the references of every held-out row.
const HELD_OUT_CAPTIONS = ['A red square on a black table.', 'a small red box', 'A red block sitting on a table', 'red square', 'a box that is red'];

/** COCO 2017's three archives, tiny: as many images as the dataset samples (20000 + 2000), each a few hundred bytes. */
const MAKE_SAMPLE = `
import io, json, os, zipfile
import numpy as np
from PIL import Image
HELD = ${JSON.stringify(HELD_OUT_CAPTIONS)}
rng = np.random.default_rng(0)
os.makedirs("/build/coco", exist_ok=True)
def archive(path):
    return zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
def add(zf, name, data):
    zf.writestr(zipfile.ZipInfo(name, (2017, 1, 1, 0, 0, 0)), data)
def jpeg(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), tuple(int(c) for c in colour)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
annotations = archive("/build/coco/annotations_trainval2017.zip")
for part, count, first in (("train", 20050, 1), ("val", 2010, 900000)):
    images, notes = [], []
    with archive("/build/coco/%s2017.zip" % part) as zf:
        for i in range(count):
            key = first + i
            name = "%012d.jpg" % key
            images.append({"id": key, "file_name": name, "width": 32, "height": 24})
            if i < count - 5:  # a few annotated images are missing from the zip, as in a partial download
                add(zf, "%s2017/%s" % (part, name), jpeg(rng.integers(0, 256, 3)))
            texts = HELD if part == "val" else ["a picture number %d" % (key % 7), "something %d" % (key % 3)] * 3
            notes += [{"id": len(notes) + 1, "image_id": key, "caption": " %s\\n" % text} for text in texts[:5]]
    add(annotations, "annotations/captions_%s2017.json" % part, json.dumps({"images": images, "annotations": notes}))
annotations.close()
print(sorted(os.listdir("/build/coco")))
`;

async function makeSample(): Promise<void> {
  const sandbox = await createSandbox({ image: BASE_IMAGE, shellUser: 'root' });
  try {
    const result = await sandbox.exec(`python3 - <<'EOF'\n${MAKE_SAMPLE}\nEOF`, { timeoutMs: 300_000, outputLimitBytes: 20_000 });
    assert.equal(result.exitCode, 0, result.output);
    await sandbox.copyOut('/build/coco', userData);
  } finally {
    await sandbox.close();
  }
}

/** The shape in a .npy header. */
function npyShape(path: string): number[] {
  const header = Buffer.alloc(256);
  const fd = openSync(path, 'r');
  readSync(fd, header, 0, 256, 0);
  closeSync(fd);
  const shape = /'shape': \(([^)]*)\)/.exec(header.toString('latin1'))![1]!;
  return shape
    .split(',')
    .filter((part) => part.trim())
    .map(Number);
}

async function validate(task: ResolvedTask, actions: string[]) {
  await env.reset({ task: task.envTask, seed: 0 });
  for (const action of actions) await env.step(action);
  return (await env.step('validate')).info.evaluation!;
}

/** A bash action that writes submission.csv from sample_submission.csv with `caption` for every row, plus extra columns. */
function submit(caption: string, extra = ''): string {
  return `python3 - <<'EOF'
import csv
rows = list(csv.DictReader(open("data/sample_submission.csv")))
with open("submission.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["id", "caption"] + (["${extra}"] if "${extra}" else []))
    for row in rows:
        out.writerow([row["id"], ${JSON.stringify(caption)}] + (["1.0"] if "${extra}" else []))
EOF`;
}

describe('captioning:coco (user-supplied COCO archives)', () => {
  let task: ResolvedTask;

  before(async () => {
    await makeSample();
    const prepared = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'tasks', 'prepare', 'captioning:coco', '--json'], {
      env: { ...process.env, LABGYM_USER_DATA: userData, LABGYM_CACHE: cacheDir },
      timeout: 900_000,
    });
    const rows = JSON.parse(prepared.stdout) as Array<{ task: string; datasets: Array<{ id: string }> }>;
    assert.equal(rows[0]!.task, 'captioning:coco');
    assert.deepEqual(
      rows[0]!.datasets.map((dataset) => dataset.id),
      ['captioningCoco'],
    );
    task = await resolveTask('captioning', { userDataDir: userData, cacheDir, scale: 'reduced' });
  });

  test('the COCO variant is preferred when its archives are present, and the stand-in runs otherwise', () => {
    assert.equal(task.variant, 'coco');
    assert.equal(task.baseline, undefined, 'no baseline is claimed for data not measured here');
    assert.equal(selectVariant('captioning', undefined, join(root, 'empty')).variant, undefined);
  });

  test('prepared like the stand-in: 64x64 RGB arrays, captions as given', () => {
    const publicDir = task.datasets[0]!.publicDir;
    assert.deepEqual(npyShape(join(publicDir, 'train_images.npy')), [20000, 64, 64, 3]);
    assert.deepEqual(npyShape(join(publicDir, 'test_images.npy')), [2000, 64, 64, 3]);
  });

  test('BLEU is computed by the evaluator: a reference caption scores 1.0, a bogus bleu_score column gains nothing', async () => {
    const exact = await validate(task, [submit(HELD_OUT_CAPTIONS[0]!)]);
    assert.equal(exact.failure, undefined, exact.failure?.message);
    assert.ok(Math.abs(exact.score! - 1) < 1e-9, `identical captions score ${exact.score}`);

    const wrong = await validate(task, [submit('zebra giraffe elephant')]);
    const cheating = await validate(task, [submit('zebra giraffe elephant', 'bleu_score')]);
    assert.equal(wrong.score, 0, 'no word in common scores 0');
    assert.equal(cheating.score, wrong.score);

    const partial = await validate(task, [submit('a small red box on the floor')]);
    assert.ok(partial.score! > wrong.score! && partial.score! < 1, `a near caption scores ${partial.score}`);
  });

  test('a submission missing images fails with a clear message', async () => {
    const result = await validate(task, [`printf 'id,caption\\n0,a red square\\n' > submission.csv`]);
    assert.match(result.failure?.message ?? '', /no caption for \d+ images of test_images\.npy/);
  });
});
