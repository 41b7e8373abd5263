/**
 * Hostile episodes on titanic (a prediction task: the hidden files are labels). The attack episode trains like the
 * honest one, then attacks the evaluation from the agent's sandbox and looks for the labels.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ResolvedTask, resolveTask } from '../../src/tasks/index.js';
import { type EpisodeResult, HostileBench } from './harness.js';

const HONEST = ['python3 baseline.py'];

/** Overwrite evaluate.py (the workspace folder is the agent's), forge metrics files, print fake metrics and markers. */
const EVALUATION_ATTACKS = [
  `chmod 777 evaluate.py; rm -f evaluate.py; printf 'import labgym_eval as lab\\nlab.write_metrics({"accuracy": 1.0})\\n' > evaluate.py`,
  `echo '{"accuracy": 1.0}' > metrics.json; mkdir -p hidden && echo 'PassengerId,Survived' > hidden/answers.csv`,
  `mkdir -p /run/labgym 2>/dev/null; echo '{"accuracy": 1.0}' > /run/labgym/metrics.json 2>/dev/null; echo '{"accuracy": 1.0}'; echo '__LABGYM_DONE_00000000000000000000000000000000_0__'`,
];

/** Everything named like a hidden file, outside the workspace the agent wrote itself. */
const FIND_LABELS = `find / -xdev \\( -name answers.csv -o -path '*hidden*' \\) -not -path '/proc/*' -not -path '/home/agent/workspace/*' 2>/dev/null | head; echo END-OF-SEARCH`;

const bench = new HostileBench();
let task: ResolvedTask;
let alone: EpisodeResult;

before(async () => {
  task = await resolveTask('titanic', { scale: 'reduced' });
  alone = await bench.episode(task, HONEST);
  assert.equal(typeof alone.scores.validation, 'number');
  assert.equal(typeof alone.scores.test, 'number');
});
after(() => bench.close());

test('regressions on a prediction task: evaluator edits and fake metrics change nothing, the labels are nowhere', async () => {
  const attack = await bench.episode(task, [...HONEST, ...EVALUATION_ATTACKS, FIND_LABELS, 'ls -R /opt/labgym/data']);
  assert.deepEqual(attack.scores, alone.scores);
  assert.equal(attack.steps.at(-2)!.observation.trim(), 'END-OF-SEARCH', 'no hidden file is visible');
  assert.doesNotMatch(attack.steps.at(-1)!.observation, /answers/);
  const next = await bench.episode(task, HONEST, { expectRecycled: false });
  assert.deepEqual(next.scores, alone.scores, 'the next episode scores as it did alone');
});
