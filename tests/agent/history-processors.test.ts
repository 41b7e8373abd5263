import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closedWindow, identity, lastNObservations } from '../../src/agent/index.js';
import type { ChatMessage } from '../../src/store/index.js';

const conversation = (observations: string[]): ChatMessage[] => [
  { role: 'system', content: 'system' },
  { role: 'user', content: 'task prompt\nline 2' },
  ...observations.flatMap((observation, i): ChatMessage[] => [
    { role: 'assistant', content: `action ${i}` },
    { role: 'user', content: observation },
  ]),
];

describe('history processors', () => {
  test('last-N keeps the task prompt and the last N observations; older ones become one line', () => {
    const messages = conversation(['a\nb\nc', 'one', 'two', 'three']);
    const processed = lastNObservations(2)(messages);
    assert.deepEqual(
      processed.map((message) => message.content),
      [
        'system',
        'task prompt\nline 2',
        'action 0',
        'Old output omitted (3 lines)',
        'action 1',
        'Old output omitted (1 lines)',
        'action 2',
        'two',
        'action 3',
        'three',
      ],
    );
    assert.equal(messages[3]!.content, 'a\nb\nc', 'the stored history is not changed');
    assert.deepEqual(lastNObservations(5)(messages), messages, 'nothing is dropped while there are at most N observations');
  });

  test('closed window keeps only the newest view of each file', () => {
    const view = (path: string, lines: string[]) =>
      `[File: ${path} (${lines.length} lines total)]\n${lines.map((line, i) => `${i + 1}:${line}`).join('\n')}\nFile updated.`;
    const messages = conversation([view('/w/a.py', ['x = 1', 'y = 2']), view('/w/b.py', ['z = 3']), view('/w/a.py', ['x = 5', 'y = 2']), '1:not a file view']);
    const processed = closedWindow(messages);
    assert.equal(processed[3]!.content, '[File: /w/a.py (2 lines total)]\nOutdated window with 2 lines omitted...\nFile updated.');
    assert.equal(processed[5]!.content, messages[5]!.content, 'the only view of b.py stays');
    assert.equal(processed[7]!.content, messages[7]!.content, 'the newest view of a.py stays');
    assert.equal(processed[9]!.content, '1:not a file view', 'numbered lines without a file header are kept, not dropped');
    assert.deepEqual(identity(messages), messages);
  });
});
