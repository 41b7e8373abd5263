/** Unit tests (no Docker) for the multi-line guard: heredoc rewriting and malformed edit/insert/str_replace. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardMultilineInput, isMalformedEdit, MALFORMED_EDIT_MESSAGE, malformedMultilineMessage } from '../../src/env/aci/index.js';

test('guardMultilineInput turns an edit block into a heredoc', () => {
  assert.equal(guardMultilineInput('edit 1:3\n    return x\nend_of_edit'), "edit 1:3 << 'end_of_edit'\n    return x\nend_of_edit");
});

test('guardMultilineInput keeps the trailing newline of the model action out of the heredoc end line', () => {
  assert.equal(guardMultilineInput('edit 2:2\nfoo\nend_of_edit  \n'), "edit 2:2 << 'end_of_edit'\nfoo\nend_of_edit");
});

test('guardMultilineInput keeps text before and after the block as separate commands', () => {
  assert.equal(guardMultilineInput('ls\nedit 1:1\na = 1\nend_of_edit\ncat x.py'), "ls\nedit 1:1 << 'end_of_edit'\na = 1\nend_of_edit\ncat x.py");
});

test('guardMultilineInput handles insert and str_replace blocks, several in one action', () => {
  const action = 'insert 4\nimport os\nend_of_insert\nstr_replace\nold line\nreplace_with\nnew line\nend_of_str_replace\n';
  assert.equal(
    guardMultilineInput(action),
    "insert 4 << 'end_of_insert'\nimport os\nend_of_insert\n" + "str_replace << 'end_of_str_replace'\nold line\nreplace_with\nnew line\nend_of_str_replace",
  );
});

test('guardMultilineInput leaves an empty edit body empty', () => {
  assert.equal(guardMultilineInput('edit 3:4\nend_of_edit'), "edit 3:4 << 'end_of_edit'\nend_of_edit");
});

test('guardMultilineInput does not add a second heredoc to a command that already has one', () => {
  const action = "edit 1:1 << 'end_of_edit'\nx = 1\nend_of_edit";
  assert.equal(guardMultilineInput(action), action);
});

test('guardMultilineInput does not touch plain commands or words that only start with a command name', () => {
  assert.equal(guardMultilineInput('python train.py --epochs 3'), 'python train.py --epochs 3');
  assert.equal(guardMultilineInput('editor_config=1\necho end_of_edit'), 'editor_config=1\necho end_of_edit');
});

test('guardMultilineInput stops an edit body at the first end_of_edit line', () => {
  assert.equal(guardMultilineInput('edit 1:1\na\nend_of_edit\nend_of_edit'), "edit 1:1 << 'end_of_edit'\na\nend_of_edit\nend_of_edit");
});

test('isMalformedEdit flags edit N:M without end_of_edit, with MLGym message', () => {
  assert.equal(isMalformedEdit('edit 1:3\n    return x\n'), true);
  assert.equal(malformedMultilineMessage('edit 1:3\n    return x\n'), MALFORMED_EDIT_MESSAGE);
  assert.equal(MALFORMED_EDIT_MESSAGE, 'Malformed edit command. Please ensure you use the `end_of_edit` keyword to mark the end of your edit.');
});

test('isMalformedEdit accepts a complete edit and plain commands', () => {
  assert.equal(isMalformedEdit('edit 1:3\n    return x\nend_of_edit'), false);
  assert.equal(isMalformedEdit('ls -la'), false);
  assert.equal(isMalformedEdit('cat edit_notes.txt'), false);
});

test('isMalformedEdit flags an edit closed with the wrong end marker', () => {
  assert.equal(isMalformedEdit('edit 1:3\nx = 1\nend_of_insert'), true);
});

test('malformedMultilineMessage names insert and str_replace without their end line', () => {
  assert.equal(
    malformedMultilineMessage('insert 5\nimport os'),
    'Malformed insert command. Please ensure you use the `end_of_insert` keyword to mark the end of your insert.',
  );
  assert.equal(
    malformedMultilineMessage('str_replace\na\nreplace_with\nb\n'),
    'Malformed str_replace command. Please ensure you use the `end_of_str_replace` keyword to mark the end of ' + 'your str_replace.',
  );
});

test('malformedMultilineMessage ignores command-like lines inside a complete block', () => {
  assert.equal(malformedMultilineMessage('edit 1:2\ninsert 5\nedit 3:4\nend_of_edit'), null);
});

test('malformedMultilineMessage finds a bare edit after a complete one', () => {
  assert.equal(malformedMultilineMessage('edit 1:1\na\nend_of_edit\nedit 5:6\nb'), MALFORMED_EDIT_MESSAGE);
});

test('malformedMultilineMessage flags an edit after a shell operator, which is never made a heredoc', () => {
  assert.equal(malformedMultilineMessage('cd src && edit 1:2\nx = 1\nend_of_edit'), MALFORMED_EDIT_MESSAGE);
  assert.equal(guardMultilineInput('cd src && edit 1:2\nx = 1\nend_of_edit'), 'cd src && edit 1:2\nx = 1\nend_of_edit');
});
