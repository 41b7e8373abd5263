/**
 * The ACI command specs, the single source of truth for the tool docs the agent reads (MLGym's
 * ParseCommandDetailed format) and for the bash function of each command. Data and string rendering only.
 */

import { type AciOptions, DEFAULT_ACI_OPTIONS } from './options.js';

export interface AciArgumentSpec {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly description: string;
  readonly required: boolean;
}

export interface AciCommandSpec {
  readonly name: string;
  readonly signature: string;
  /** May hold {WINDOW} and {OVERLAP}; renderCommandDocs fills them in. */
  readonly docstring: string;
  readonly arguments: readonly AciArgumentSpec[];
  /** The line that ends the command's multi-line text (end_of_edit); the text reaches aci.py as a heredoc on stdin. */
  readonly endName?: string;
  /** Lines the shell function prints itself instead of running aci.py (the validate and submit markers). */
  readonly echoLines?: readonly string[];
}

export const ACI_COMMANDS: readonly AciCommandSpec[] = [
  {
    name: 'open',
    signature: 'open "<path>" [<line_number>]',
    docstring:
      'opens the file at <path> in the viewer, which shows {WINDOW} lines at a time. With <line_number>, the view ' + 'moves so that it includes that line',
    arguments: [
      { name: 'path', type: 'string', description: 'the path of the file to open', required: true },
      {
        name: 'line_number',
        type: 'integer',
        description: 'the line to bring into view (without it, the view starts at the top of the file)',
        required: false,
      },
    ],
  },
  {
    name: 'goto',
    signature: 'goto <line_number>',
    docstring: 'moves the view of the open file so that it shows <line_number>',
    arguments: [{ name: 'line_number', type: 'integer', description: 'the line to bring into view', required: true }],
  },
  {
    name: 'scroll_down',
    signature: 'scroll_down',
    docstring: 'moves the view of the open file down to the next {WINDOW} lines; the last {OVERLAP} lines of the current ' + 'view stay in sight',
    arguments: [],
  },
  {
    name: 'scroll_up',
    signature: 'scroll_up',
    docstring: 'moves the view of the open file up to the previous {WINDOW} lines; the first {OVERLAP} lines of the current ' + 'view stay in sight',
    arguments: [],
  },
  {
    name: 'create',
    signature: 'create <filename>',
    docstring: 'creates a new file holding one empty line and opens it',
    arguments: [{ name: 'filename', type: 'string', description: 'the path of the file to create', required: true }],
  },
  {
    name: 'search_dir',
    signature: 'search_dir <search_term> [<dir>]',
    docstring:
      'searches all files under <dir> (hidden ones excepted) for <search_term> and lists how many lines match in ' +
      'each file. Without <dir>, searches the current directory',
    arguments: [
      { name: 'search_term', type: 'string', description: 'the text (a grep pattern) to look for', required: true },
      {
        name: 'dir',
        type: 'string',
        description: 'the directory to search (without it, the current directory)',
        required: false,
      },
    ],
  },
  {
    name: 'search_file',
    signature: 'search_file <search_term> [<file>]',
    docstring: 'lists the lines of <file> that contain <search_term>, with their line numbers. Without <file>, searches ' + 'the open file',
    arguments: [
      { name: 'search_term', type: 'string', description: 'the text (a grep pattern) to look for', required: true },
      { name: 'file', type: 'string', description: 'the file to search (without it, the open file)', required: false },
    ],
  },
  {
    name: 'find_file',
    signature: 'find_file <file_name> [<dir>]',
    docstring: 'lists the files under <dir> whose name matches <file_name> (wildcards such as *.py work). Without <dir>, ' + 'searches the current directory',
    arguments: [
      {
        name: 'file_name',
        type: 'string',
        description: 'the file name or wildcard pattern to look for',
        required: true,
      },
      {
        name: 'dir',
        type: 'string',
        description: 'the directory to search (without it, the current directory)',
        required: false,
      },
    ],
  },
  {
    name: 'edit',
    signature: 'edit <start_line>:<end_line>\n<replacement_text>\nend_of_edit',
    docstring:
      'replaces lines <start_line> to <end_line> (both included) of the open file with <replacement_text>, which ' +
      'ends at a line holding only end_of_edit. The text is entered exactly as written, so indent it correctly. ' +
      'Python files are checked for syntax errors and undefined names after the edit; an edit that adds one is ' +
      'not applied, and the error is shown. Read it and send a corrected edit: the same edit again fails the same way.',
    arguments: [
      { name: 'start_line', type: 'integer', description: 'the first line to replace', required: true },
      { name: 'end_line', type: 'integer', description: 'the last line to replace (included)', required: true },
      {
        name: 'replacement_text',
        type: 'string',
        description: 'the lines that take the place of the replaced ones',
        required: true,
      },
    ],
    endName: 'end_of_edit',
  },
  {
    name: 'insert',
    signature: 'insert <line_number>\n<text_to_add>\nend_of_insert',
    docstring:
      'inserts <text_to_add> after line <line_number> of the open file (0 inserts at the top). The text ends at a ' +
      'line holding only end_of_insert and is entered exactly as written, so indent it correctly. Python files ' +
      'are checked like after edit; an insertion that adds an error is not applied, and the error is shown.',
    arguments: [
      { name: 'line_number', type: 'integer', description: 'the line after which the text goes', required: true },
      { name: 'text_to_add', type: 'string', description: 'the lines to insert', required: true },
    ],
    endName: 'end_of_insert',
  },
  {
    name: 'str_replace',
    signature: 'str_replace\n<old_text>\nreplace_with\n<new_text>\nend_of_str_replace',
    docstring:
      'replaces <old_text> with <new_text> in the open file. <old_text> must occur exactly once in the file and ' +
      'match it character for character, indentation and blank lines included. A line holding only replace_with ' +
      'separates the two texts, and a line holding only end_of_str_replace ends the command. Python files are ' +
      'checked like after edit; a replacement that adds an error is not applied, and the error is shown.',
    arguments: [
      {
        name: 'old_text',
        type: 'string',
        description: 'the exact lines to replace, as they are in the file',
        required: true,
      },
      { name: 'new_text', type: 'string', description: 'the lines that take their place', required: true },
    ],
    endName: 'end_of_str_replace',
  },
  {
    name: 'submit',
    signature: 'submit',
    docstring: 'submits your current code and terminates the session',
    arguments: [],
    echoLines: ['<<SUBMISSION||', 'submitting file', '||SUBMISSION>>'],
  },
  {
    name: 'validate',
    signature: 'validate',
    docstring: 'validates your current submission file and returns the metrics on the validation set',
    arguments: [],
    echoLines: ['<<VALIDATION||', 'validating file', '||VALIDATION>>'],
  },
];

/** The commands whose text spans several lines, keyed by name: edit -> end_of_edit. */
export function multilineCommands(commands: readonly AciCommandSpec[] = ACI_COMMANDS): ReadonlyMap<string, string> {
  return new Map(commands.flatMap((command) => (command.endName ? [[command.name, command.endName] as const] : [])));
}

/**
 * The tool docs in MLGym's ParseCommandDetailed layout: per command `<name>:`, `  docstring: ...`,
 * `  signature: ...`, then `  arguments:` with `    - <arg> (<type>) [required|optional]: <description>` lines,
 * and a blank line after each command.
 */
export function renderCommandDocs(commands: readonly AciCommandSpec[] = ACI_COMMANDS, options: Partial<AciOptions> = {}): string {
  const variables: Record<string, number> = {
    WINDOW: options.window ?? DEFAULT_ACI_OPTIONS.window,
    OVERLAP: options.overlap ?? DEFAULT_ACI_OPTIONS.overlap,
  };
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => String(variables[key] ?? whole));
  let docs = '';
  for (const command of commands) {
    docs += `${command.name}:\n  docstring: ${fill(command.docstring)}\n  signature: ${command.signature}\n`;
    if (command.arguments.length > 0) {
      docs += '  arguments:\n';
      for (const argument of command.arguments) {
        const requirement = argument.required ? 'required' : 'optional';
        docs += `    - ${argument.name} (${argument.type}) [${requirement}]: ${argument.description}\n`;
      }
    }
    docs += '\n';
  }
  return docs;
}

/** Quote text for bash as one single-quoted word. */
export function bashQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The bash function of one command. Most hand their arguments to aci.py through `_aci_run`; multi-line ones first
 * make sure their text arrives as a heredoc (`_aci_needs_text`); validate and submit only print their markers.
 * Both helpers are defined by renderAciShellScript.
 */
export function renderCommandShim(command: AciCommandSpec): string {
  if (command.echoLines) {
    return `${command.name}() { printf '%s\\n' ${command.echoLines.map(bashQuote).join(' ')}; }`;
  }
  const guard = command.endName ? `_aci_needs_text ${command.name} ${command.endName} || return 2; ` : '';
  return `${command.name}() { ${guard}_aci_run ${command.name} "$@"; }`;
}
