import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeoutMessage } from '../../src/env/index.js';
import { exitReasonOf, timedOutFromText } from '../../src/store/index.js';

test('a timeout is read only from the message that closes an observation, total or idle', () => {
  assert.equal(timedOutFromText(`training...${timeoutMessage('total', 25)}`), 'total');
  assert.equal(timedOutFromText(`waiting${timeoutMessage('idle', 5)}\n`), 'idle');
  assert.equal(timedOutFromText('\nEXECUTION TIMED OUT AND INTERRUPT FAILED. RESTARTING PROCESS.'), 'total');
  assert.equal(timedOutFromText('$ cat notes.txt\nEXECUTION TIMED OUT is what the log said\nthen it finished'), undefined);
  assert.equal(timedOutFromText(''), undefined);
});

test("MLGym's exit status strings map to typed exit reasons", () => {
  const cases: [string, string][] = [
    ['submitted', 'submitted'],
    ['autosubmission (max_steps)', 'max_steps'],
    ['autosubmission (exit_context)', 'exit_context'],
    ['submission_not_found (submit)', 'submitted'],
    ['evaluation_format_error (exit_cost)', 'exit_cost'],
    ['sandbox_error', 'sandbox_error'],
    ['something new', 'early_exit'],
  ];
  for (const [status, reason] of cases) assert.equal(exitReasonOf(status), reason, status);
});
