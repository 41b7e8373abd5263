/**
 * Turning the agent's multi-line commands (edit ... end_of_edit) into heredocs before they reach the shell, and
 * spotting ones that lack their end line (MLGym's "Malformed edit command"). Pure string functions.
 */

import { ACI_COMMANDS, type AciCommandSpec, multilineCommands } from './commands.js';

type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'block'; readonly firstLine: string; readonly body: string; readonly endName: string };

/** What must follow the command name on the first line for a line to count as an invocation (MLGym: `edit N:M`). */
const ARGUMENT_SHAPES: Readonly<Record<string, string>> = { edit: '[ \\t]+\\d+:\\d+', insert: '[ \\t]+\\d+' };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `<name> <args>` on a line of its own, its text, and the end line; the first end line closes the block. */
function blockPattern(name: string, endName: string): RegExp {
  return new RegExp(`^([ \\t]*${escapeRegExp(name)}(?=[ \\t]|$)[^\\n]*)\\n([\\s\\S]*?)^${escapeRegExp(endName)}[ \\t]*$`, 'm');
}

/** Cut an action into plain text and complete multi-line command blocks, in order. */
function splitAction(action: string, commands: readonly AciCommandSpec[]): Segment[] {
  const patterns = [...multilineCommands(commands)].map(([name, endName]) => ({
    endName,
    pattern: blockPattern(name, endName),
  }));
  const segments: Segment[] = [];
  const pushText = (text: string) => {
    const trimmed = text.replace(/^\n+|\n+$/g, '');
    if (trimmed.trim()) segments.push({ kind: 'text', text: trimmed });
  };
  let rest = action;
  while (rest.trim()) {
    let first: { match: RegExpExecArray; endName: string } | undefined;
    for (const { endName, pattern } of patterns) {
      const match = pattern.exec(rest);
      if (match && (!first || match.index < first.match.index)) first = { match, endName };
    }
    if (!first) {
      pushText(rest);
      break;
    }
    const { match, endName } = first;
    pushText(rest.slice(0, match.index));
    segments.push({ kind: 'block', firstLine: match[1] ?? '', body: match[2] ?? '', endName });
    rest = rest.slice(match.index + match[0].length);
  }
  return segments;
}

/**
 * Rewrite every `edit 1:3\n...\nend_of_edit` (and insert, str_replace) into
 * `edit 1:3 << 'end_of_edit'\n...\nend_of_edit`, so the text reaches the command on stdin. Text before and after a block stays, as separate lines.
 */
export function guardMultilineInput(action: string, commands: readonly AciCommandSpec[] = ACI_COMMANDS): string {
  return splitAction(action, commands)
    .map((segment) => {
      if (segment.kind === 'text') return segment.text;
      const heredoc = new RegExp(`<<-?\\s*(['"]?)${escapeRegExp(segment.endName)}\\1\\s*$`);
      const firstLine = heredoc.test(segment.firstLine) ? segment.firstLine : `${segment.firstLine.replace(/[ \t]+$/, '')} << '${segment.endName}'`;
      return `${firstLine}\n${segment.body}${segment.endName}`;
    })
    .join('\n');
}

export const MALFORMED_EDIT_MESSAGE = 'Malformed edit command. Please ensure you use the `end_of_edit` keyword to mark the end of your edit.';

/** The message for a multi-line command without its end line (MLGym's text for edit; the same shape for the others). */
export function malformedCommandMessage(name: string, endName: string): string {
  return `Malformed ${name} command. Please ensure you use the \`${endName}\` keyword to mark the end of your ${name}.`;
}

/**
 * The observation for an action holding a multi-line command (`edit N:M`, `insert N`, `str_replace`) that is not
 * closed by its end line, or null when there is none. Such an action must not run: without its heredoc the command
 * reads empty text (stdin from /dev/null), and an empty edit deletes the lines. A command after `&&`, `;` or `|` on
 * a line counts too, since only a command at the start of a line is turned into a heredoc.
 */
export function malformedMultilineMessage(action: string, commands: readonly AciCommandSpec[] = ACI_COMMANDS): string | null {
  const endings = multilineCommands(commands);
  for (const segment of splitAction(action, commands)) {
    if (segment.kind !== 'text') continue;
    for (const [name, endName] of endings) {
      const invocation = new RegExp(`(?:^|[;&|(]|\\b(?:then|do|else)\\b)[ \\t]*${escapeRegExp(name)}${ARGUMENT_SHAPES[name] ?? ''}(?=\\s|$)`, 'm');
      if (invocation.test(segment.text)) return malformedCommandMessage(name, endName);
    }
  }
  return null;
}

/** True when the action holds a multi-line command without its end line (see malformedMultilineMessage). */
export function isMalformedEdit(action: string, commands: readonly AciCommandSpec[] = ACI_COMMANDS): boolean {
  return malformedMultilineMessage(action, commands) !== null;
}
