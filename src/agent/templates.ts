/**
 * Prompt templates with MLGym's variables (reference §2.4); `{name}` placeholders, filled like Python's str.format.
 * The wording is labgym's own; the four-line footer is MLGym's, because tools and policies read it.
 */

import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { ResponseFormat } from '../store/index.js';

/**
 * The five templates and their variables: system (command_docs, WINDOW, training_timeout), task (description and the
 * task's fields), next step (observation), next step without output, and the format error.
 */
export interface AgentTemplates {
  readonly system: string;
  readonly task: string;
  readonly nextStep: string;
  readonly nextStepNoOutput: string;
  readonly formatError: string;
}

const FOOTER = `(Current Step: {current_step}, Remaining Steps: {remaining_steps})
(Open file: {open_file})
(Current directory: {working_dir})
bash-$`;

const FORMAT_INSTRUCTIONS: Record<ResponseFormat, { readonly format: string; readonly error: string }> = {
  mlgym: {
    format: `Each of your replies has two parts: a DISCUSSION, where you reason about what to do next, and then exactly one
command in a fenced code block. For example:

DISCUSSION
I want to see which files the workspace holds before I change anything.

\`\`\`
ls -a
\`\`\`

Reply with one discussion and one command block only: a second block, or none, means your command is not run.`,
    error: `Your reply did not have the expected format, so no command was run.
Each reply needs one discussion and exactly one command in a fenced code block, nothing more:

DISCUSSION
Think here about what you plan to do in this step.

\`\`\`
the command to run
\`\`\``,
  },
  xml: {
    format: `Each of your replies has two parts: your reasoning about what to do next, and then exactly one command
between <command> and </command> tags. For example:

I want to see which files the workspace holds before I change anything.

<command>
ls -a
</command>

Reply with one command only: a second <command> block, or none, means your command is not run.`,
    error: `Your reply did not have the expected format, so no command was run.
Each reply needs your reasoning followed by exactly one command between <command> and </command>:

Think here about what you plan to do in this step.

<command>
the command to run
</command>`,
  },
  tools: {
    format: `Reason about what to do next, then call exactly one tool. The tools are the commands below; the bash tool
runs any other shell command. Call one tool per reply: more than one, or none, means nothing is run.`,
    error: `Your reply did not call exactly one tool, so nothing was run. Reason briefly, then call exactly one tool.`,
  },
};

/** labgym's default templates for a response format. */
export function defaultTemplates(format: ResponseFormat = 'mlgym'): AgentTemplates {
  const { format: responseFormat, error } = FORMAT_INSTRUCTIONS[format];
  const escaped = (text: string) => text.replaceAll('{', '{{').replaceAll('}', '}}');
  return {
    system: `SETTING: You are an autonomous machine learning researcher working in a command line through a special
interface. Besides ordinary shell commands, you have a file viewer that shows {WINDOW} lines of a file at a
time, and the commands below to edit files, search, validate your work and submit it.

COMMANDS:
{command_docs}
When you edit or insert code, indentation matters: write every line with the indentation it needs, e.g.
eight spaces for a line inside a method of a class.

RESPONSE FORMAT:
Your shell prompt looks like this:
(Open file: <path>)
(Current directory: <cwd>)
bash-$

${escaped(responseFormat)}

Run one command at a time and wait for its output before the next. Interactive programs (python or vim
without arguments, anything that waits for input) are not supported; write scripts and run them instead.

Your goal is the best score you can reach, not the first submission that works. Improve step by step,
check each improvement with \`validate\`, and \`submit\` when you are done or the steps run low.

TIPS:
1. If a command fails, read the error and try something different; repeating it fails the same way.
2. Use \`search_dir\`, \`search_file\` and \`find_file\` to find things, \`open\` and \`goto\` to read them.
3. After an edit, look at the result: lines may be duplicated or misindented.
4. Each command must finish within {training_timeout} seconds; train for fewer epochs or on less data if needed.
5. \`validate\` scores your submission on held-out validation data. Use it instead of running the evaluation
   script yourself, whose results are not recorded.`,
    task: `We're currently solving the following task.
TASK ID: {id}

TASK DESCRIPTION:
{description}

INSTRUCTIONS:
Work on this task on your own, one command at a time. Produce the submission artefact the description asks
for, improve it, check it with \`validate\`, and \`submit\` the best version. Read the evaluation script in the
workspace to learn the submission format. Do not start interactive sessions.

${FOOTER}`,
    nextStep: `{observation}
${FOOTER}`,
    nextStepNoOutput: `Your command ran successfully and did not produce any output.
${FOOTER}`,
    formatError: escaped(error),
  };
}

/**
 * Fill `{name}` placeholders like Python's str.format (MLGym's templates use it); `{{`/`}}` are literal braces.
 * Hand-written: one regex, and an unknown placeholder must fail loudly, as str.format does.
 */
export function renderTemplate(template: string, variables: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const value = variables[name!];
    if (value === undefined) throw new InvalidArgumentError(`template placeholder {${name}} has no value; known: ${Object.keys(variables).join(', ')}`);
    return String(value);
  });
}

/** sha256 of the templates, recorded with each episode (MLGym's published runs mix prompt variants silently). */
export function templatesHash(templates: AgentTemplates): string {
  return createHash('sha256').update(JSON.stringify(templates)).digest('hex').slice(0, 16);
}
