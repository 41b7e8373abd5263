import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionFromToolCall, FormatError, parseFencedResponse, parseToolCallResponse, parseXmlResponse } from '../../src/agent/index.js';

describe('MLGym thought/action parser (golden outputs)', () => {
  test('DISCUSSION plus one block: the block is the action, the rest the thought', () => {
    const output = "DISCUSSION\nLet's start by examining the workspace. I'll use `ls` to list the files.\n\n```\nls\n```";
    const parsed = parseFencedResponse(output);
    assert.equal(parsed.action, 'ls\n');
    assert.equal(parsed.thought, "DISCUSSION\nLet's start by examining the workspace. I'll use `ls` to list the files.\n\n");
  });

  test('a language-tagged fence is allowed', () => {
    const parsed = parseFencedResponse('DISCUSSION\nRun the baseline.\n```bash\npython baseline.py\n```\n');
    assert.equal(parsed.action, 'python baseline.py\n');
    assert.equal(parsed.thought, 'DISCUSSION\nRun the baseline.\n');
  });

  test('an edit whose body contains a fenced block is one action', () => {
    const output = [
      'DISCUSSION',
      'I add a usage section to the README.',
      '',
      '```',
      'edit 3:3',
      '## Usage',
      '```python',
      'import model',
      '```',
      'end_of_edit',
      '```',
    ].join('\n');
    const parsed = parseFencedResponse(output);
    assert.equal(parsed.action, 'edit 3:3\n## Usage\n```python\nimport model\n```\nend_of_edit\n');
    assert.equal(parsed.thought, 'DISCUSSION\nI add a usage section to the README.\n\n');
  });

  test('two blocks are a format error', () => {
    const output = 'DISCUSSION\nFirst look, then train.\n```\nls\n```\nand then\n```\npython train.py\n```';
    assert.throws(() => parseFencedResponse(output), (error: unknown) => error instanceof FormatError && /2 command blocks/.test(error.message));
  });

  test('no block, an empty output, an unclosed block and an empty block are format errors', () => {
    for (const output of ['DISCUSSION\nI will now run ls.', '', 'DISCUSSION\nls\n```\nls', 'DISCUSSION\n```\n\n```']) {
      assert.throws(() => parseFencedResponse(output), FormatError, JSON.stringify(output));
    }
  });
});

describe('XML and tool-call parsers', () => {
  test('exactly one <command> block', () => {
    assert.deepEqual(parseXmlResponse('Look first.\n\n<command>\nls -a\n</command>'), { thought: 'Look first.\n\n', action: 'ls -a' });
    assert.throws(() => parseXmlResponse('<command>ls</command><command>pwd</command>'), FormatError);
    assert.throws(() => parseXmlResponse('no command here'), FormatError);
  });

  test('a tool call is rendered through the command signature', () => {
    assert.equal(actionFromToolCall({ id: 'a', name: 'edit', arguments: JSON.stringify({ start_line: 1, end_line: 2, replacement_text: 'x = 1' }) }), 'edit 1:2\nx = 1\nend_of_edit');
    assert.equal(actionFromToolCall({ id: 'b', name: 'open', arguments: JSON.stringify({ path: 'train.py' }) }), 'open "train.py"');
    assert.equal(actionFromToolCall({ id: 'c', name: 'open', arguments: JSON.stringify({ path: 'train.py', line_number: 40 }) }), 'open "train.py" 40');
    assert.equal(actionFromToolCall({ id: 'd', name: 'bash', arguments: JSON.stringify({ command: 'python train.py' }) }), 'python train.py');
    assert.equal(actionFromToolCall({ id: 'e', name: 'validate', arguments: '{}' }), 'validate');
  });

  test('wrong tool calls are format errors', () => {
    assert.throws(() => parseToolCallResponse('thinking', undefined), /no tool call/);
    assert.throws(() => parseToolCallResponse('', [{ id: 'a', name: 'bash', arguments: '{"command":"ls"}' }, { id: 'b', name: 'submit', arguments: '{}' }]), /2 tool calls/);
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'rm_rf', arguments: '{}' }), /unknown tool rm_rf/);
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'edit', arguments: '{"start_line": 1' }), /not valid JSON/);
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'goto', arguments: '{"line_number": "x"}' }), /must be an integer/);
  });
});
