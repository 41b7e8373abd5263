/**
 * Golden tests of the ACI in real Docker sandboxes: every observation is compared byte for byte with output written
 * out by hand from MLGym's rules (reference_mlgym.md sections 2.2 and 2.3). Long expectations live in tests/fixtures/aci.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ACI_COMMANDS, type AciCommandSpec, aciResetCommand, guardMultilineInput, installAci, renderCommandDocs } from '../../src/env/aci/index.js';
import { createSandbox, type ExecResult, type Sandbox } from '../../src/sandbox/index.js';

const IMAGE = 'labgym/base:latest';
const WORKSPACE = '/home/agent/workspace';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/aci/${name}`, import.meta.url), 'utf8');
}

function command(name: string): AciCommandSpec {
  const found = ACI_COMMANDS.find((spec) => spec.name === name);
  assert.ok(found, `no ACI command ${name}`);
  return found;
}

/** `<n>:<prefix> <n>` for n in from..to, one per line: the body of a window on a `seq -f '<prefix> %g'` file. */
function numbered(prefix: string, from: number, to: number): string {
  let body = '';
  for (let n = from; n <= to; n++) body += `${n}:${prefix} ${n}\n`;
  return body;
}

const CALC = fixture('calc.py');

/** WINDOW 1000 (MLGym's default) and WINDOW 10, to see long-file windows on small files. */
let wide: Sandbox;
let narrow: Sandbox;

before(
  async () => {
    [wide, narrow] = await Promise.all([createSandbox({ image: IMAGE }), createSandbox({ image: IMAGE })]);
    await Promise.all([installAci(wide), installAci(narrow, { window: 10, overlap: 2 })]);
  },
  { timeout: 120_000 },
);

after(async () => {
  await Promise.all([wide?.close(), narrow?.close()]);
});

/** Run an agent action the way the environment does: multi-line commands guarded into heredocs. */
function exec(sandbox: Sandbox, action: string): Promise<ExecResult> {
  return sandbox.exec(guardMultilineInput(action));
}

async function act(sandbox: Sandbox, action: string): Promise<string> {
  return (await exec(sandbox, action)).output;
}

async function putCalc(sandbox: Sandbox): Promise<void> {
  await sandbox.writeFiles(WORKSPACE, [{ path: 'calc.py', content: CALC }], { owner: 'agent' });
}

async function readWorkspaceFile(sandbox: Sandbox, name: string): Promise<string> {
  const files = await sandbox.readFiles([`${WORKSPACE}/${name}`]);
  return files.get(`${WORKSPACE}/${name}`)?.toString('utf8') ?? '<missing>';
}

// ---------------------------------------------------------------------------------------------------------------
// Install, docs, markers

test('installAci leaves aci.py and aci.sh root-owned and not writable by the agent', async () => {
  const result = await narrow.exec('stat -c "%U %a %n" /opt/labgym/aci/aci.py /opt/labgym/aci/aci.sh; test -w /opt/labgym/aci/aci.py || echo read-only');
  assert.equal(result.output, 'root 755 /opt/labgym/aci/aci.py\nroot 644 /opt/labgym/aci/aci.sh\nread-only\n');
});

test('renderCommandDocs renders edit in the ParseCommandDetailed layout', () => {
  assert.equal(renderCommandDocs([command('edit')]), fixture('docs-edit.txt'));
});

test('renderCommandDocs fills WINDOW and OVERLAP into docstrings and omits arguments for a bare command', () => {
  assert.equal(
    renderCommandDocs([command('scroll_down')], { window: 10, overlap: 2 }),
    'scroll_down:\n' +
      '  docstring: moves the view of the open file down to the next 10 lines; the last 2 lines of the current view stay in sight\n' +
      '  signature: scroll_down\n\n',
  );
});

test('validate and submit print the markers the environment intercepts', async () => {
  assert.equal(await act(wide, 'validate'), '<<VALIDATION||\nvalidating file\n||VALIDATION>>\n');
  assert.equal(await act(wide, 'submit'), '<<SUBMISSION||\nsubmitting file\n||SUBMISSION>>\n');
});

// ---------------------------------------------------------------------------------------------------------------
// Viewer

test('viewer commands without an open file say to open one first', async () => {
  assert.equal(await act(narrow, 'goto 3'), 'No file open. Use the open command first.\n');
  assert.equal(await act(narrow, 'scroll_down'), 'No file open. Use the open command first.\n');
  assert.equal(await act(narrow, 'search_file x'), 'No file open. Use the open command first.\n');
  assert.equal(await act(narrow, 'edit 1:1\nx = 1\nend_of_edit'), 'No file open. Use the `open` command first.\n');
  assert.equal(await act(narrow, 'insert 1\nx = 1\nend_of_insert'), 'No file open. Use the `open` command first.\n');
});

test('open shows a short file whole under the default window of 1000', async () => {
  await wide.exec(`printf 'def add(a, b):\\n    return a + b\\n\\n\\nprint(add(1, 2))\\n' > short.py`);
  assert.equal(
    await act(wide, 'open short.py'),
    '[File: /home/agent/workspace/short.py (5 lines total)]\n' + '1:def add(a, b):\n2:    return a + b\n3:\n4:\n5:print(add(1, 2))\n',
  );
});

test('open with a line number past the end warns and sets it to the last line', async () => {
  assert.equal(
    await act(wide, 'open short.py 9'),
    'Warning: <line_number> (9) is greater than the number of lines in the file (5)\n' +
      'Warning: Setting <line_number> to 5\n' +
      '[File: /home/agent/workspace/short.py (5 lines total)]\n' +
      '1:def add(a, b):\n2:    return a + b\n3:\n4:\n5:print(add(1, 2))\n',
  );
});

test('open reports missing files, directories, images, bad line numbers and big files with a line number', async () => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await wide.writeFiles(WORKSPACE, [{ path: 'pic.png', content: png }], { owner: 'agent' });
  await wide.exec("mkdir -p somedir && seq -f 'row %g' 3000 > huge.txt");
  assert.equal(await act(wide, 'open missing.txt'), 'File missing.txt not found\n');
  assert.equal(await act(wide, 'open somedir'), 'Error: somedir is a directory. You can only open files. Use cd or ls to navigate directories.\n');
  assert.equal(await act(wide, 'open pic.png'), 'Error: pic.png is an image file. Current environment does not support image viewing.\n');
  assert.equal(await act(wide, 'open short.py abc'), 'Usage: open "<file>" [<line_number>]\nError: <line_number> must be a number\n');
  assert.equal(await act(wide, 'open huge.txt 5'), "The file is larger than 20000 characters, please use 'head -n NUM_LINES' to open it\n");
  assert.equal(await act(wide, 'open'), 'Usage: open "<file>"\n');
});

test('open shows the first WINDOW lines of a long file and counts the lines below', async () => {
  await narrow.exec("seq -f 'line %g' 30 > long.txt");
  assert.equal(
    await act(narrow, 'open long.txt'),
    `[File: /home/agent/workspace/long.txt (30 lines total)]\n${numbered('line', 1, 10)}(20 more lines below)\n`,
  );
});

test('open with a line number centres the window on it, constrained to the end of the file', async () => {
  assert.equal(
    await act(narrow, 'open long.txt 25'),
    `[File: /home/agent/workspace/long.txt (30 lines total)]\n(20 more lines above)\n${numbered('line', 21, 30)}`,
  );
});

test('goto moves the window and shows lines above and below', async () => {
  assert.equal(
    await act(narrow, 'goto 20'),
    '[File: /home/agent/workspace/long.txt (30 lines total)]\n(19 more lines above)\n' + numbered('line', 20, 29) + '(1 more lines below)\n',
  );
});

test('goto rejects several, missing, non-numeric and out-of-range line numbers', async () => {
  assert.equal(await act(narrow, 'goto 1 2'), 'goto allows only one line number at a time.\n');
  assert.equal(await act(narrow, 'goto'), 'Usage: goto <line>\n');
  assert.equal(await act(narrow, 'goto x'), 'Usage: goto <line>\nError: <line> must be a number\n');
  assert.equal(await act(narrow, 'goto 31'), 'Error: <line> must be less than or equal to 30\n');
});

test('scrolling moves by WINDOW - OVERLAP and warns from the third scroll in a row', async () => {
  const header = '[File: /home/agent/workspace/long.txt (30 lines total)]\n';
  await act(narrow, 'goto 20');
  assert.equal(await act(narrow, 'scroll_down'), `${header}(20 more lines above)\n${numbered('line', 21, 30)}`);
  assert.equal(await act(narrow, 'scroll_up'), `${header}(12 more lines above)\n${numbered('line', 13, 22)}(8 more lines below)\n`);
  assert.equal(
    await act(narrow, 'scroll_up'),
    header +
      '(4 more lines above)\n' +
      numbered('line', 5, 14) +
      '(16 more lines below)\n' +
      '\nWARNING: Scrolling many times in a row is very inefficient.\n' +
      'If you know what you are looking for, use `search_file <pattern>` instead.\n\n',
  );
  // Any other command ends the run of scrolls.
  assert.equal(await act(narrow, 'goto 3'), `${header}(2 more lines above)\n${numbered('line', 3, 12)}(18 more lines below)\n`);
  assert.equal(await act(narrow, 'scroll_down'), `${header}(10 more lines above)\n${numbered('line', 11, 20)}(10 more lines below)\n`);
});

test('a LAST_ACTION that is not a scroll ends the run of scrolls, as in MLGym', async () => {
  await act(narrow, 'goto 1');
  await act(narrow, 'scroll_down');
  await act(narrow, 'scroll_down');
  await narrow.exec("LAST_ACTION='ls -F'");
  assert.doesNotMatch(await act(narrow, 'scroll_up'), /WARNING/);
  await narrow.exec('unset LAST_ACTION');
});

test('open on a 1000-line file with the default window shows every line', async () => {
  await wide.exec("seq -f 'row %g' 1000 > k1000.txt");
  assert.equal(await act(wide, 'open k1000.txt'), `[File: /home/agent/workspace/k1000.txt (1000 lines total)]\n${numbered('row', 1, 1000)}`);
});

test('open, scroll_down and goto on a 1500-line file with the default window', async () => {
  await wide.exec("seq -f 'row %g' 1500 > k1500.txt");
  const header = '[File: /home/agent/workspace/k1500.txt (1500 lines total)]\n';
  assert.equal(await act(wide, 'open k1500.txt'), `${header + numbered('row', 1, 1000)}(500 more lines below)\n`);
  assert.equal(await act(wide, 'scroll_down'), `${header}(500 more lines above)\n${numbered('row', 501, 1500)}`);
  assert.equal(await act(wide, 'goto 100'), `${header + numbered('row', 1, 1000)}(500 more lines below)\n`);
});

test('create makes and opens a file holding one empty line', async () => {
  assert.equal(await act(wide, 'create new.py'), '[File: /home/agent/workspace/new.py (1 lines total)]\n1:\n');
  assert.equal(await readWorkspaceFile(wide, 'new.py'), '\n');
});

test('create on an existing file says so and opens it', async () => {
  assert.equal(
    await act(wide, 'create short.py'),
    "Error: File 'short.py' already exists.\n" +
      '[File: /home/agent/workspace/short.py (5 lines total)]\n' +
      '1:def add(a, b):\n2:    return a + b\n3:\n4:\n5:print(add(1, 2))\n',
  );
  assert.equal(await act(wide, 'create'), 'Usage: create <filename>\n');
});

// ---------------------------------------------------------------------------------------------------------------
// Edit, insert, str_replace

const UPDATED =
  'File updated. Please review the changes and make sure they are correct (correct indentation, no duplicate ' +
  'lines, etc). Edit the file again if necessary.\n';

test('edit replaces the lines, ignores an old lint error that moved, and shows the window from start - 1', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(
    await act(narrow, 'edit 9:9\n    return 2.0 * math.pi * r\nend_of_edit'),
    '[File: /home/agent/workspace/calc.py (20 lines total)]\n' +
      '(3 more lines above)\n' +
      '4:def area(r):\n5:    return math.pi * r * r\n6:\n7:\n8:def perimeter(r):\n' +
      '9:    return 2.0 * math.pi * r\n10:\n11:\n12:def ratio(r):\n13:    a = area(r)\n' +
      '(7 more lines below)\n' +
      UPDATED,
  );
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC.replace('return 2 * math', 'return 2.0 * math'));
});

test('edit that adds a lint error is reverted with the three-part message and the file unchanged', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  const edit = 'edit 14:14\n    p = perimeter(r)\n    if p == 0:\n        return undefined_fallback\nend_of_edit';
  assert.equal(await act(narrow, edit), fixture('edit-lint-error.txt'));
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
  assert.equal((await narrow.exec('echo "$CURRENT_LINE $WINDOW"')).output, '5 10\n');
  assert.equal((await narrow.exec('ls backup_* 2>/dev/null | wc -l')).output, '0\n');
});

test('edit validates its line arguments', async () => {
  await act(narrow, 'open calc.py');
  assert.equal(await act(narrow, 'edit 5\nx\nend_of_edit'), 'Usage: edit <start_line>:<end_line>\n');
  assert.equal(await act(narrow, 'edit a:5\nx\nend_of_edit'), 'Usage: edit <start_line>:<end_line>\nError: start_line must be a number\n');
  assert.equal(await act(narrow, 'edit 5:b\nx\nend_of_edit'), 'Usage: edit <start_line>:<end_line>\nError: end_line must be a number\n');
});

test('edit with an empty text deletes the lines', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(
    await act(narrow, 'edit 16:17\nend_of_edit'),
    '[File: /home/agent/workspace/calc.py (18 lines total)]\n' +
      '(8 more lines above)\n' +
      '9:    return 2 * math.pi * r\n10:\n11:\n12:def ratio(r):\n13:    a = area(r)\n14:    p = perimeter(r)\n' +
      '15:    return a / p\n16:if __name__ == "__main__":\n17:    print(ratio(2.0))\n18:    print(area(radius))\n' +
      UPDATED,
  );
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC.replace('    return a / p\n\n\n', '    return a / p\n'));
});

test('edit typed without a heredoc in a shell fed on stdin refuses, and the next commands still run', async () => {
  await putCalc(narrow);
  const script = ['source /opt/labgym/aci/aci.sh', 'open calc.py > /dev/null', 'edit 1:1', 'echo still running'];
  const result = await narrow.exec(`printf '%s\\n' ${script.map((line) => `'${line}'`).join(' ')} | bash`);
  assert.equal(result.output, 'Malformed edit command. Please ensure you use the `end_of_edit` keyword to mark the end of your edit.\n' + 'still running\n');
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
});

test('insert adds lines after the given line and shows the window from that line + 1', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(
    await act(narrow, 'insert 2\nimport os\nend_of_insert'),
    '[File: /home/agent/workspace/calc.py (21 lines total)]\n' +
      '1:import math\n2:\n3:import os\n4:\n5:def area(r):\n6:    return math.pi * r * r\n7:\n8:\n' +
      '9:def perimeter(r):\n10:    return 2 * math.pi * r\n' +
      '(11 more lines below)\n' +
      UPDATED,
  );
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC.replace('import math\n\n', 'import math\n\nimport os\n'));
});

test('insert that adds a lint error is reverted, with the original window fixed at 10 lines', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(await act(narrow, 'insert 13\n    b = missing_name\nend_of_insert'), fixture('insert-lint-error.txt'));
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
});

test('insert validates its line argument', async () => {
  assert.equal(await act(narrow, 'insert\nx\nend_of_insert'), 'Usage: insert <line_number>\n');
  assert.equal(await act(narrow, 'insert x\ny\nend_of_insert'), 'Usage: insert <line_number>\nError: line_number must be a number\n');
});

test('str_replace replaces text that occurs exactly once and shows the window from its line - 1', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(
    await act(narrow, 'str_replace\n    return a / p\nreplace_with\n    return a / (p + 1e-9)\nend_of_str_replace'),
    '[File: /home/agent/workspace/calc.py (20 lines total)]\n' +
      '(9 more lines above)\n' +
      '10:\n11:\n12:def ratio(r):\n13:    a = area(r)\n14:    p = perimeter(r)\n15:    return a / (p + 1e-9)\n' +
      '16:\n17:\n18:if __name__ == "__main__":\n19:    print(ratio(2.0))\n' +
      '(1 more lines below)\n' +
      UPDATED,
  );
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC.replace('return a / p', 'return a / (p + 1e-9)'));
});

test('str_replace says when the old text is not found, and changes nothing', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  const result = await exec(narrow, 'str_replace\n    return a/p\nreplace_with\n    return 0\nend_of_str_replace');
  assert.equal(
    result.output,
    'Error: the old text was not found in /home/agent/workspace/calc.py. No changes were made. ' +
      'It must match the file exactly, including indentation and blank lines.\n',
  );
  assert.equal(result.exitCode, 1);
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
});

test('str_replace says how many times the old text occurs when it is not unique, and changes nothing', async () => {
  const result = await exec(narrow, 'str_replace\nmath.pi\nreplace_with\n3.14159\nend_of_str_replace');
  assert.equal(
    result.output,
    'Error: the old text was found 2 times in /home/agent/workspace/calc.py. No changes were made. ' +
      'Include more of the surrounding lines so that it matches exactly once.\n',
  );
  assert.equal(result.exitCode, 1);
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
});

test('str_replace without the replace_with line explains the format', async () => {
  assert.equal(
    await act(narrow, 'str_replace\n    return a / p\nend_of_str_replace'),
    'Error: str_replace needs the old text, then a line with only replace_with, then the new text, ' + 'then a line with only end_of_str_replace.\n',
  );
});

test('str_replace that adds a lint error is reverted with the three-part message', async () => {
  await putCalc(narrow);
  await act(narrow, 'open calc.py');
  assert.equal(
    await act(narrow, 'str_replace\n    p = perimeter(r)\nreplace_with\n    p = perimetre(r)\nend_of_str_replace'),
    fixture('str-replace-lint-error.txt'),
  );
  assert.equal(await readWorkspaceFile(narrow, 'calc.py'), CALC);
});

test('edit, insert and str_replace refuse a root-owned read-only file and leave it unchanged', async () => {
  const original = 'print("score")\n';
  await narrow.writeFiles(WORKSPACE, [{ path: 'evaluate.py', content: original, mode: 0o644 }], { owner: 'root' });
  await act(narrow, 'open evaluate.py');
  const refusal = 'Error: You cannot edit read-only file /home/agent/workspace/evaluate.py\n';
  for (const action of [
    'edit 1:1\nprint("hacked")\nend_of_edit',
    'insert 1\nprint("hacked")\nend_of_insert',
    'str_replace\nprint("score")\nreplace_with\nprint("hacked")\nend_of_str_replace',
  ]) {
    const result = await exec(narrow, action);
    assert.equal(result.output, refusal, action);
    assert.equal(result.exitCode, 1, action);
  }
  assert.equal(await readWorkspaceFile(narrow, 'evaluate.py'), original);
});

// ---------------------------------------------------------------------------------------------------------------
// Search

const PROJECT = `${WORKSPACE}/proj`;

test('search_dir counts matching lines per file, skipping hidden paths', async () => {
  await wide.exec(
    "mkdir -p proj/sub proj/.hidden && printf 'needle one\\nhay\\nneedle two\\n' > proj/a.py && " +
      "printf 'a needle\\n' > proj/b.txt && printf 'needle\\n' > proj/.hidden/c.py && " +
      'printf \'x = "needle"\\n\' > proj/sub/d.py',
  );
  assert.equal(
    await act(wide, 'search_dir needle proj'),
    `Found 4 matches for "needle" in ${PROJECT}:\n` +
      `${PROJECT}/a.py (2 matches)\n${PROJECT}/b.txt (1 matches)\n${PROJECT}/sub/d.py (1 matches)\n` +
      `End of matches for "needle" in ${PROJECT}\n`,
  );
});

test('search_dir reports no matches, a missing directory and more than 100 matching files', async () => {
  assert.equal(await act(wide, 'search_dir zzz proj'), `No matches found for "zzz" in ${PROJECT}\n`);
  assert.equal(await act(wide, 'search_dir needle nodir'), 'Directory nodir not found\n');
  await wide.exec('mkdir -p many && for i in $(seq 101); do echo hit > many/f$i.txt; done');
  assert.equal(await act(wide, 'search_dir hit many'), `More than 101 files matched for "hit" in ${WORKSPACE}/many. Please narrow your search.\n`);
});

test('search_file lists matching lines of a file or of the open file', async () => {
  assert.equal(
    await act(wide, 'search_file needle proj/a.py'),
    `Found 2 matches for "needle" in ${PROJECT}/a.py:\nLine 1:needle one\nLine 3:needle two\n` + `End of matches for "needle" in ${PROJECT}/a.py\n`,
  );
  await act(wide, 'open proj/a.py');
  assert.equal(
    await act(wide, 'search_file two'),
    `Found 1 matches for "two" in ${PROJECT}/a.py:\nLine 3:needle two\nEnd of matches for "two" in ${PROJECT}/a.py\n`,
  );
});

test('search_file reports no matches, a missing file and more than 100 matching lines', async () => {
  assert.equal(await act(wide, 'search_file zzz proj/a.py'), `No matches found for "zzz" in ${PROJECT}/a.py\n`);
  assert.equal(
    await act(wide, 'search_file needle nofile.py'),
    'Usage: search_file <search_term> [<file>]\nError: File name nofile.py not found. Please provide a valid file name.\n',
  );
  await wide.exec("seq -f 'hit %g' 101 > hits.txt");
  assert.equal(await act(wide, 'search_file hit hits.txt'), `More than 101 lines matched for "hit" in ${WORKSPACE}/hits.txt. Please narrow your search.\n`);
});

test('find_file lists matching paths, hidden ones included, and reports no matches', async () => {
  assert.equal(await act(wide, 'find_file d.py proj'), `Found 1 matches for "d.py" in ${PROJECT}:\n${PROJECT}/sub/d.py\n`);
  assert.equal(
    await act(wide, "find_file '*.py' proj"),
    `Found 3 matches for "*.py" in ${PROJECT}:\n${PROJECT}/.hidden/c.py\n${PROJECT}/a.py\n${PROJECT}/sub/d.py\n`,
  );
  assert.equal(await act(wide, 'find_file nothing.txt proj'), `No matches found for "nothing.txt" in ${PROJECT}\n`);
  assert.equal(await act(wide, 'find_file'), 'Usage: find_file <file_name> [<dir>]\n');
});

// ---------------------------------------------------------------------------------------------------------------
// Reset

test('aciResetCommand closes the open file and restores the configured window', async () => {
  await act(narrow, 'open calc.py');
  await narrow.exec('WINDOW=50');
  await narrow.exec(aciResetCommand());
  assert.equal((await narrow.exec('echo "[$CURRENT_FILE] $CURRENT_LINE $WINDOW $OVERLAP"')).output, '[] 0 10 2\n');
  assert.equal(await act(narrow, 'goto 1'), 'No file open. Use the open command first.\n');
});
