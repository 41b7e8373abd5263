/**
 * Load a YAML file and validate it with a zod schema. Every problem becomes one ConfigError naming the file,
 * the field (dotted path) and what was expected, so a bad config never surfaces as a stack trace.
 */

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

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

/** Validate `data` (already parsed from `file`); the first issue becomes a ConfigError. */
export function validateConfig<S extends z.ZodType>(file: string, schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const received = valueAt(data, issue.path);
  const expected =
    issue.code === 'unrecognized_keys'
      ? `no field ${issue.keys.map((key) => `"${key}"`).join(', ')} (unknown)`
      : issue.code === 'invalid_type'
        ? received === undefined
          ? `this required field (${issue.expected})`
          : `a ${issue.expected}`
        : issue.message.replace(/^Invalid (input|option): /, '').replace(/^expected /, '');
  throw new ConfigError(file, fieldPath(issue.path), expected, issue.code === 'unrecognized_keys' ? undefined : describe(received));
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
  return validateConfig(file, schema, document.toJS());
}
