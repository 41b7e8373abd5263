/**
 * languageModeling: the FineWeb variant runs from user-supplied modded-nanogpt token shards (tiny generated ones
 * here, in the same .bin format), and the evaluator scores next-token distributions it gets from the submission's
 * worker process: a uniform model scores exactly log(vocab_size), and a worker returning a distribution that is
 * not normalised, or of the wrong shape, fails with a clear message.
 */

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import { type ResolvedTask, resolveTask, selectVariant } from '../../src/tasks/index.js';

const root = mkdtempSync(join(tmpdir(), 'labgym-lm-'));
const userData = join(root, 'user-data');
const cacheDir = join(root, 'cache');
const env = new LabgymEnv({ maxSteps: 20 });
const savedUserData = process.env.LABGYM_USER_DATA;
after(async () => {
  await env.close();
  if (savedUserData === undefined) delete process.env.LABGYM_USER_DATA;
  else process.env.LABGYM_USER_DATA = savedUserData;
  rmSync(root, { recursive: true, force: true });
});

const VOCAB = 50257;
const EOT = 50256;
const SPLIT = 262144;

/** A shard in modded-nanogpt's format: 256 int32 header (magic, version, token count), then uint16 tokens. */
function shard(tokens: Uint16Array): Buffer {
  const header = new Int32Array(256);
  header.set([20240520, 1, tokens.length]);
  return Buffer.concat([Buffer.from(header.buffer), Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength)]);
}

/** Pseudo-random GPT-2 ids with a document start (<|endoftext|>) every 1000 tokens. */
function tokens(count: number, seed: number): Uint16Array {
  const out = new Uint16Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = i % 1000 === 0 ? EOT : state % EOT;
  }
  return out;
}

const valShard = tokens(800_000, 2);

/** A bash action writing model.py (whose next_token_logprobs body is `body`) and a placeholder model.pt. */
function submit(body: string): string {
  return `cat > model.py <<'EOF'
import base64
import numpy as np
V = ${VOCAB}
def next_token_logprobs(contexts):
    n = len(contexts)
${body
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
EOF
echo weights > model.pt`;
}

const pack = (expression: string) => `array = (${expression}).astype(np.float16)
return {"dtype": "float16", "shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}`;

describe('languageModeling:fineweb (user-supplied FineWeb token shards)', () => {
  let task: ResolvedTask;

  before(async () => {
    mkdirSync(join(userData, 'fineweb10B'), { recursive: true });
    writeFileSync(join(userData, 'fineweb10B', 'fineweb_train_000001.bin'), shard(tokens(100_000, 1)));
    writeFileSync(join(userData, 'fineweb10B', 'fineweb_val_000000.bin'), shard(valShard));
    process.env.LABGYM_USER_DATA = userData;
    task = await resolveTask('languageModeling', { cacheDir, scale: 'reduced' });
  });

  async function validate(action: string) {
    await env.reset({ task: task.envTask, seed: 0 });
    await env.step(action);
    return (await env.step('validate')).info.evaluation!;
  }

  test('the FineWeb variant is preferred when both shards are present, and the stand-in runs otherwise', () => {
    assert.equal(task.variant, 'fineweb');
    assert.deepEqual(
      task.datasets.map((dataset) => dataset.id),
      ['fineweb'],
    );
    assert.equal(task.baseline, undefined, 'no baseline is claimed for data not measured here');
    assert.equal(selectVariant('languageModeling', undefined, join(root, 'empty')).variant, undefined);
  });

  test('prepared into the stand-in layout: uint16 train/val tokens public, held-out test tokens hidden', () => {
    const [dataset] = task.datasets;
    const meta = JSON.parse(readFileSync(join(dataset!.publicDir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(meta.vocab_size, VOCAB);
    assert.equal(meta.dtype, 'uint16');
    assert.equal(readFileSync(join(dataset!.publicDir, 'train.bin')).length, 100_000 * 2);
    const validation = readFileSync(join(dataset!.publicDir, 'val.bin'));
    assert.deepEqual(validation, Buffer.from(valShard.buffer, 0, SPLIT * 2), 'validation is the start of the val shard');
    assert.deepEqual(readFileSync(join(dataset!.hiddenDirs.validation!, 'tokens.bin')), validation);
    const test = readFileSync(join(dataset!.hiddenDirs.test!, 'tokens.bin'));
    const start = Math.ceil((2 * SPLIT) / 1000) * 1000; // the first document start after the gap
    assert.deepEqual(test, Buffer.from(valShard.buffer, start * 2, SPLIT * 2), 'test starts at a document boundary past the gap');
  });

  test('the evaluator computes the loss itself: a uniform distribution scores log(vocab_size)', async () => {
    const uniform = await validate(submit(pack('np.full((n, V), -np.log(V))')));
    assert.equal(uniform.failure, undefined, uniform.failure?.message);
    assert.ok(Math.abs(uniform.score! - Math.log(VOCAB)) < 1e-6, `uniform scores ${uniform.score}`);
  });

  test('a distribution that does not sum to 1, or has the wrong shape, fails with a clear message', async () => {
    const unnormalised = await validate(submit('return [[0.0] * V for _ in contexts]'));
    assert.equal(unnormalised.score, undefined);
    assert.match(unnormalised.failure?.message ?? '', /probabilities of a next-token distribution must sum to 1 .*sums to 50257/);

    const logits = await validate(submit(pack('np.random.default_rng(0).normal(size=(n, V))')));
    assert.match(logits.failure?.message ?? '', /must sum to 1/);

    const short = await validate(submit(pack('np.full((n, V - 1), -np.log(V - 1))')));
    assert.match(short.failure?.message ?? '', /must return shape \[\d+, 50257\].*got shape \[\d+, 50256\]/);

    const ragged = await validate(submit('return [[0.0] * V] * (n - 1)'));
    assert.match(ragged.failure?.message ?? '', /must return shape \(\d+, 50257\).*got \(\d+, 50257\)/);

    const nan = await validate(submit(pack('np.full((n, V), np.nan)')));
    assert.match(nan.failure?.message ?? '', /NaN or infinite/);
  });

  test("the submission's code cannot read the held-out tokens it is scored on", async () => {
    const probe = `cat > model.py <<'EOF'
found = []
for path in ("hidden/tokens.bin", "/home/agent/workspace/hidden/tokens.bin"):
    try:
        open(path, "rb").read(1)
        found.append("READ")
    except OSError as error:
        found.append(type(error).__name__)
raise RuntimeError("hidden: " + " ".join(found))
EOF
echo weights > model.pt`;
    const result = await validate(probe);
    assert.match(result.failure?.message ?? '', /hidden: PermissionError PermissionError/);
  });
});
