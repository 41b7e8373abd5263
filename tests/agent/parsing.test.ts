import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
    assert.throws(
      () => parseFencedResponse(output),
      (error: unknown) => error instanceof FormatError && /2 command blocks/.test(error.message),
    );
  });

  test('no block, an empty output, an unclosed block and an empty block are format errors', () => {
    for (const output of ['DISCUSSION\nI will now run ls.', '', 'DISCUSSION\nls\n```\nls', 'DISCUSSION\n```\n\n```']) {
      assert.throws(() => parseFencedResponse(output), FormatError, JSON.stringify(output));
    }
  });
});

describe("MLGym's thought, byte for byte, wherever the block sits", () => {
  // MLGym's fence regex is `^```(\S*)\s*\n|^```\s*$`: a fence takes the blank lines after it, so a closing
  // fence mid-text also removes the blank line that followed the block. Expected strings are MLGym's output.
  const cases: { name: string; output: string; thought: string; action: string }[] = [
    {
      name: 'a goto block mid-text, a blank line on each side',
      output:
        'DISCUSSION\nThe dropout layer is defined around line 44; I want to raise it for regularization.\n\n```\ngoto 44\n```\n\nThis will move the window so I can see the layer definition.',
      thought:
        'DISCUSSION\nThe dropout layer is defined around line 44; I want to raise it for regularization.\n\nThis will move the window so I can see the layer definition.',
      action: 'goto 44\n',
    },
    {
      name: 'an edit block mid-text, a blank line on each side',
      output:
        'DISCUSSION\nI raise the dropout rate for regularization.\n\n```\nedit 44:44\n        self.dropout = nn.Dropout(0.5)\nend_of_edit\n```\n\nThis keeps the indentation of the surrounding block.',
      thought: 'DISCUSSION\nI raise the dropout rate for regularization.\n\nThis keeps the indentation of the surrounding block.',
      action: 'edit 44:44\n        self.dropout = nn.Dropout(0.5)\nend_of_edit\n',
    },
    {
      name: 'the block at the start, a blank line after it',
      output: '```\nls\n```\n\nLet me list the files first.',
      thought: 'Let me list the files first.',
      action: 'ls\n',
    },
    {
      name: 'the block at the start, no blank line after it',
      output: '```\nls\n```\nLet me list the files first.',
      thought: 'Let me list the files first.',
      action: 'ls\n',
    },
    {
      name: 'the block at the end, one newline after it',
      output: 'DISCUSSION\nList the files.\n```\nls\n```\n',
      thought: 'DISCUSSION\nList the files.\n',
      action: 'ls\n',
    },
    {
      name: 'the block at the end, blank lines after it',
      output: 'DISCUSSION\nList the files.\n\n```\nls\n```\n\n\n',
      thought: 'DISCUSSION\nList the files.\n\n',
      action: 'ls\n',
    },
    {
      name: 'the block at the very end, spaces and no newline after the closing fence',
      output: 'Look.\n```\nls\n```   ',
      thought: 'Look.\n',
      action: 'ls\n',
    },
    {
      name: 'mid-text with no blank lines around it',
      output: 'First.\n```\nls\n```\nThen more.',
      thought: 'First.\nThen more.',
      action: 'ls\n',
    },
    {
      name: 'a language tag, trailing blanks on the fences, blank lines inside the block and after it',
      output: 'First.\n\n```python  \n\n\nprint(1)\n``` \t\n \n\nThen more.',
      thought: 'First.\n\nThen more.',
      action: 'print(1)\n',
    },
    {
      name: 'an edit with a nested fenced block, mid-text',
      output:
        'DISCUSSION\nAdd usage.\n\n```\nedit 3:3\n## Usage\n```python\nimport model\n```\nend_of_edit\n```\n\nThe README now shows how to import the model.',
      thought: 'DISCUSSION\nAdd usage.\n\nThe README now shows how to import the model.',
      action: 'edit 3:3\n## Usage\n```python\nimport model\n```\nend_of_edit\n',
    },
    {
      name: 'CRLF line ends',
      output: 'Look.\r\n\r\n```\r\nls\r\n```\r\n\r\nDone.',
      thought: 'Look.\r\n\r\nDone.',
      action: 'ls\r\n',
    },
    {
      name: 'only \\n ends a line, as in Python: a fence after U+2028 is not a fence',
      output: 'Look.\u2028```\nls\n```\nDone.\u2028```\nls\n```',
      thought: 'Look.\u2028```\nls\n',
      action: 'Done.\u2028```\nls\n',
    },
  ];
  for (const { name, output, thought, action } of cases) {
    test(name, () => {
      assert.deepEqual(parseFencedResponse(output), { thought, action });
    });
  }

  test('every step of a recorded MLGym trajectory: thought and action as MLGym recorded them', () => {
    // Written by MLGym itself; its blocks all end the response (none sits mid-text).
    const trajectory = JSON.parse(readFileSync(new URL('../fixtures/mlgym/scripted__numberGuess__run_0/numberGuess.traj', import.meta.url), 'utf8')) as {
      trajectory: { response: string; thought: string; action: string }[];
      history: { role: string; content: string; thought?: string; action?: string }[];
    };
    const recorded = [
      ...trajectory.trajectory.map((step) => ({ response: step.response, thought: step.thought, action: step.action })),
      ...trajectory.history
        .filter((message) => message.role === 'assistant')
        .map((message) => ({ response: message.content, thought: message.thought, action: message.action })),
    ];
    assert.ok(recorded.length >= 8);
    for (const { response, thought, action } of recorded) {
      assert.deepEqual(parseFencedResponse(response), { thought, action }, JSON.stringify(response));
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
    assert.equal(
      actionFromToolCall({ id: 'a', name: 'edit', arguments: JSON.stringify({ start_line: 1, end_line: 2, replacement_text: 'x = 1' }) }),
      'edit 1:2\nx = 1\nend_of_edit',
    );
    assert.equal(actionFromToolCall({ id: 'b', name: 'open', arguments: JSON.stringify({ path: 'train.py' }) }), 'open "train.py"');
    assert.equal(actionFromToolCall({ id: 'c', name: 'open', arguments: JSON.stringify({ path: 'train.py', line_number: 40 }) }), 'open "train.py" 40');
    assert.equal(actionFromToolCall({ id: 'd', name: 'bash', arguments: JSON.stringify({ command: 'python train.py' }) }), 'python train.py');
    assert.equal(actionFromToolCall({ id: 'e', name: 'validate', arguments: '{}' }), 'validate');
  });

  test('wrong tool calls are format errors', () => {
    assert.throws(() => parseToolCallResponse('thinking', undefined), /no tool call/);
    assert.throws(
      () =>
        parseToolCallResponse('', [
          { id: 'a', name: 'bash', arguments: '{"command":"ls"}' },
          { id: 'b', name: 'submit', arguments: '{}' },
        ]),
      /2 tool calls/,
    );
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'rm_rf', arguments: '{}' }), /unknown tool rm_rf/);
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'edit', arguments: '{"start_line": 1' }), /not valid JSON/);
    assert.throws(() => actionFromToolCall({ id: 'a', name: 'goto', arguments: '{"line_number": "x"}' }), /must be an integer/);
  });
});
