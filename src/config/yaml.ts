/**
 * Load a YAML file and validate it with a zod schema. Every problem becomes one ConfigError naming the file,
 * the field (dotted path) and what was expected, so a bad config never surfaces as a stack trace.
 */

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Alias expansions a file may hold: more is a billion-laughs bomb, refused before it is expanded. */
const MAX_ALIAS_COUNT = 100;

/** `a.b[2].c` for a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const count = (n: number | bigint, noun: string) => `${n} ${noun}${Number(n) === 1 ? '' : 's'}`;

/** What the field should have been, in words ("a number ≥ 0", `one of "full"|"reduced"`). */
function expectedOf(issue: z.core.$ZodIssue, received: unknown): string {
  const own = /^(Invalid|Too (small|big)|Expected)\b/.test(issue.message) ? undefined : issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `no field ${issue.keys.map((key) => `"${key}"`).join(', ')} (unknown)`;
    case 'invalid_type':
      return received === undefined ? `this required field (${issue.expected})` : `a ${issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      if (issue.origin === 'array' || issue.origin === 'set') return `${issue.code === 'too_small' ? 'at least' : 'at most'} ${count(bound, 'item')}`;
      if (issue.origin === 'string') return `${issue.code === 'too_small' ? 'at least' : 'at most'} ${count(bound, 'character')}`;
      const relation = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return own ?? `a number ${relation} ${bound}`;
    }
    case 'invalid_format':
      return (
        own ??
        (issue.format === 'url' ? 'a URL such as http://localhost:8000/v1' : issue.format === 'regex' ? `text matching ${issue.pattern}` : `a ${issue.format}`)
      );
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join('|')}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    default:
      return own ?? issue.message.replace(/^Invalid (input|option): /, '').replace(/^expected /, '');
  }
}

/** Validate `data` (already parsed from `file`); the first issue becomes a ConfigError (others are counted). */
export function validateConfig<S extends z.ZodType>(file: string, schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [issue, ...others] = result.error.issues as z.core.$ZodIssue[];
  const received = valueAt(data, issue!.path);
  const path = fieldPath(issue!.path);
  const elsewhere = new Set(others.map((other) => fieldPath(other.path)).filter((other) => other !== path)).size;
  // Unknown keys name themselves, and a check on a whole mapping or list says what it saw in its message.
  const quiet = issue!.code === 'unrecognized_keys' || (issue!.code === 'custom' && received !== null && typeof received === 'object');
  const more = elsewhere ? ` (and ${count(elsewhere, 'more problem')})` : '';
  throw new ConfigError(file, path, `${expectedOf(issue!, received)}${quiet ? more : ''}`, quiet ? undefined : `${describe(received)}${more}`);
}

/** Read, parse and validate a YAML file. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, '', 'a readable YAML file', (error as NodeJS.ErrnoException).code ?? String(error));
  }
  const document = parseDocument(text);
  const syntax = document.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0];
    throw new ConfigError(
      file,
      line ? `line ${line.line}:${line.col}` : '',
      'valid YAML',
      syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, ''),
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError(file, '', `YAML with at most ${MAX_ALIAS_COUNT} alias expansions`, 'more (an alias bomb?)');
  }
  return validateConfig(file, schema, data);
}
