/**
 * housePrice: the real evaluator (resolved from the catalog, run in its own sandbox) rejects malformed
 * submissions with a clear message and no score, and scores the validation and the test houses separately.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LabgymEnv } from '../../src/env/index.js';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';

/** A bash action that writes submission.csv from data/test.csv with Python code for the rows (a list of [Id, SalePrice]). */
function submit(rowsExpression: string): string {
  return `python3 - <<'EOF'
import csv
ids = [int(row["Id"]) for row in csv.DictReader(open("data/test.csv"))]
rows = ${rowsExpression}
with open("submission.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["Id", "SalePrice"])
    out.writerows(rows)
EOF`;
}

describe('housePrice evaluator', () => {
  const env = new LabgymEnv({ maxSteps: 20 });
  let task: ResolvedTask;
  before(async () => {
    task = await resolveTask('housePrice', { scale: 'reduced' });
  });
  after(() => env.close());

  async function validate(action: string) {
    await env.reset({ task: task.envTask, seed: 0 });
    await env.step(action);
    return (await env.step('validate')).info.evaluation!;
  }

  test('a submission with missing Ids fails with a clear message and no score', async () => {
    const record = await validate(submit('[[i, 180000] for i in ids[:100]]'));
    assert.equal(record.score, undefined);
    assert.match(record.failure?.message ?? '', /submission\.csv has no SalePrice for \d+ houses of test\.csv \(e\.g\. Id \d+\)/);
  });

  test('a non-numeric SalePrice fails with a clear message and no score', async () => {
    const record = await validate(submit('[[i, "expensive" if n == 7 else 180000] for n, i in enumerate(ids)]'));
    assert.equal(record.score, undefined);
    assert.match(record.failure?.message ?? '', /SalePrice must be a number; 1 row\(s\) are not, e\.g\. 'expensive'/);
  });

  test('a submission without the SalePrice column fails with a clear message', async () => {
    const record = await validate(`printf 'Id,Price\\n1,100\\n' > submission.csv`);
    assert.equal(record.score, undefined);
    assert.match(record.failure?.message ?? '', /submission\.csv lacks the column\(s\) SalePrice/);
  });

  test('a complete submission is scored, validation and test on different houses', async () => {
    await env.reset({ task: task.envTask, seed: 0 });
    await env.step(submit('[[i, 180000] for i in ids]'));
    const validation = (await env.step('validate')).info.evaluation!;
    assert.equal(validation.failure, undefined, validation.failure?.message);
    assert.deepEqual(Object.keys(validation.metrics).sort(), ['r2', 'rmse']);
    assert.ok(validation.score! < 0.05, `a constant prediction has r2 ${validation.score}`);
    const final = await task.evaluator.evaluate({ kind: 'submit', agentSandbox: env.currentSandbox! });
    assert.equal(final.split, 'test');
    assert.notEqual(final.metrics.rmse, validation.metrics.rmse, 'validation and test hold different houses');
  });
});
