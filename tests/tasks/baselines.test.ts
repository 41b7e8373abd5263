/**
 * Every catalog task's baseline, end to end in Docker at the reduced (CI) scale: the baseline script runs in the
 * agent's sandbox, then validation and the held-out test are scored by the task's evaluator. The test score must
 * land within the task's stated tolerance of the reduced baseline written in task.yaml.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { primaryMetric } from '../../src/config/index.js';
import { listTaskIds, resolveTask, runBaseline } from '../../src/tasks/index.js';
import { runnableRef } from '../helpers/tasks.js';

const only = process.env.LABGYM_TASKS?.split(',');

describe('task baselines (reduced scale)', () => {
  for (const id of listTaskIds().filter((task) => !only || only.includes(task))) {
    const ref = runnableRef(id);
    test(`${ref ?? id}: baseline runs and scores within tolerance`, {
      skip: ref ? false : 'no variant with its data present and a measured reduced-scale baseline',
    }, async () => {
      const task = await resolveTask(ref!, { scale: 'reduced' });
      const metric = primaryMetric(task.config).name;
      const tolerance = task.config.baseline_tolerance[metric];
      assert.notEqual(task.baseline, undefined, `${id}: task.yaml has a reduced-scale baseline for ${metric}`);
      assert.notEqual(tolerance, undefined, `${id}: task.yaml states a baseline_tolerance for ${metric}`);
      const run = await runBaseline(task);
      assert.equal(run.exitCode, 0, `baseline script failed:\n${run.outputTail}`);
      for (const record of [run.validation, run.test]) {
        assert.equal(record.failure, undefined, `${record.split}: ${record.failure?.message}`);
        assert.equal(typeof record.score, 'number');
      }
      assert.equal(run.validation.split, 'validation');
      assert.equal(run.test.split, 'test');
      const distance = Math.abs(run.test.score! - task.baseline!);
      assert.ok(distance <= tolerance!, `${id}: test ${metric} ${run.test.score} is ${distance} from the baseline ${task.baseline} (tolerance ${tolerance})`);
    });
  }
});
