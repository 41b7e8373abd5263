/**
 * Native tool calling: one tool per ACI command (its arguments from the command spec) plus `bash` for any
 * other command. A call becomes the same action text a fenced reply would hold, filled in through the
 * command's signature (as MLGym's JSON parser does), so the environment sees no difference.
 */

import { aci } from '../env/index.js';
import type { ToolDefinition } from '../models/index.js';
import type { ToolCall } from '../store/index.js';
import { FormatError } from './format-error.js';

export const BASH_TOOL: ToolDefinition = {
  name: 'bash',
  description: 'runs a shell command in the workspace and returns its output',
  parameters: {
    type: 'object',
    properties: { command: { type: 'string', description: 'the command line to run' } },
    required: ['command'],
    additionalProperties: false,
  },
};

export function aciToolDefinitions(options: Partial<aci.AciOptions> = {}): ToolDefinition[] {
  const docs = (command: aci.AciCommandSpec) =>
    command.docstring
      .replaceAll('{WINDOW}', String(options.window ?? aci.DEFAULT_ACI_OPTIONS.window))
      .replaceAll('{OVERLAP}', String(options.overlap ?? aci.DEFAULT_ACI_OPTIONS.overlap));
  return [
    ...aci.ACI_COMMANDS.map((command) => ({
      name: command.name,
      description: docs(command),
      parameters: {
        type: 'object',
        properties: Object.fromEntries(command.arguments.map((argument) => [argument.name, { type: argument.type, description: argument.description }])),
        required: command.arguments.filter((argument) => argument.required).map((argument) => argument.name),
        additionalProperties: false,
      },
    })),
    BASH_TOOL,
  ];
}

/** Fill a signature: `<name>` takes the argument's value; an optional `[...]` part is dropped when its arguments are absent. */
function fillSignature(signature: string, values: Readonly<Record<string, string>>): string {
  const fill = (text: string) => text.replace(/<(\w+)>/g, (_, name: string) => values[name] ?? '');
  return fill(
    signature.replace(/ ?\[([^\]]*)\]/g, (whole, inner: string) => {
      const names = [...inner.matchAll(/<(\w+)>/g)].map((match) => match[1]!);
      return names.every((name) => values[name] !== undefined) ? whole.replace(/[[\]]/g, '') : '';
    }),
  );
}

/** The action text of a tool call; a FormatError when the tool or its arguments are wrong. */
export function actionFromToolCall(call: ToolCall): string {
  let args: unknown;
  try {
    args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    throw new FormatError(`the arguments of ${call.name} are not valid JSON`);
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw new FormatError(`the arguments of ${call.name} must be a JSON object`);
  const values = args as Record<string, unknown>;
  if (call.name === 'bash') {
    if (typeof values.command !== 'string' || !values.command.trim()) throw new FormatError('bash needs a non-empty "command" string');
    return values.command;
  }
  const command = aci.ACI_COMMANDS.find((candidate) => candidate.name === call.name);
  if (!command) throw new FormatError(`unknown tool ${call.name}; the tools are ${[...aci.ACI_COMMANDS.map((c) => c.name), 'bash'].join(', ')}`);
  const text: Record<string, string> = {};
  for (const argument of command.arguments) {
    const value = values[argument.name];
    if (value === undefined || value === null) {
      if (argument.required) throw new FormatError(`${call.name} needs the argument ${argument.name}`);
      continue;
    }
    if (argument.type === 'integer' && !Number.isInteger(typeof value === 'string' ? Number(value) : value)) {
      throw new FormatError(`${call.name}: ${argument.name} must be an integer`);
    }
    text[argument.name] = String(value);
  }
  return fillSignature(command.signature, text);
}
