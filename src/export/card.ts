/**
 * The dataset card (README.md) of an export: YAML front matter the Hugging Face Hub reads (`configs:` with the
 * data files per split, `dataset_info.splits` with row counts) plus a `labgym:` block (generator version,
 * format, source, filters with counts, task and evaluator hashes, model settings), rendered again as tables.
 */

import { stringify } from 'yaml';
import type { Column, ColumnType } from './columns.js';
import type { FilterCount } from './pipeline.js';
import type { Provenance } from './provenance.js';
import type { RewardShaping } from './rewards.js';
import type { SplitResult } from './writers/sharded.js';

export interface CardParams {
  readonly name: string;
  readonly generatorVersion: string;
  readonly format: string;
  readonly formatDescription: string;
  readonly writer: string;
  readonly columns: readonly Column[];
  readonly splits: readonly SplitResult[];
  readonly filters: readonly FilterCount[];
  readonly provenance: Provenance;
  readonly source: {
    readonly inputs: readonly string[];
    readonly lines: number;
    readonly records: number;
    readonly duplicates: number;
    readonly incomplete: number;
    readonly skippedLines: number;
  };
  readonly shaping?: RewardShaping;
}

function typeText(type: ColumnType): string {
  if (typeof type === 'string') return type;
  if ('list' in type) return `list<${typeText(type.list)}>`;
  return `struct<${type.struct.map((field) => `${field.name}: ${typeText(field.type)}`).join(', ')}>`;
}

/** Which Best Attempt definition the episodes' scores follow (the card says it wherever scores are reported). */
export function bestAttemptText(counts: { readonly 'validation-selected': number; readonly mlgym: number }): string {
  return (
    "Score columns hold the held-out score of each episode's final submission (Best Submission). " +
    `Best Attempt, as \`labgym score\` computes it by default, is the test score of the attempt with the best validation score for ${counts['validation-selected']} episodes, ` +
    `and MLGym's best score over every evaluation (splits mixed) for ${counts.mlgym} episodes without split scores (MLGym imports, version 1 records, MLGym-compatible runs).`
  );
}

function reportsScores(params: CardParams): boolean {
  return params.format === 'mlgym' || params.columns.some((field) => field.name.includes('score') || field.name === 'reward');
}

function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (value: unknown) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

export function cardFrontMatter(params: CardParams): Record<string, unknown> {
  const provenance = params.provenance.toJSON();
  return {
    configs: [{ config_name: 'default', data_files: params.splits.map((split) => ({ split: split.split, path: `data/${split.split}-*` })) }],
    dataset_info: { splits: params.splits.map((split) => ({ name: split.split, num_examples: split.rows })) },
    tags: ['labgym', 'agent-trajectories', params.format],
    labgym: {
      generator: `labgym ${params.generatorVersion}`,
      format: params.format,
      writer: params.writer,
      rows: Object.fromEntries(params.splits.map((split) => [split.split, split.rows])),
      files: params.splits.flatMap((split) => split.files),
      source: params.source,
      filters: params.filters.map((filter) => ({ name: filter.name, description: filter.description, in: filter.before, kept: filter.after })),
      ...(params.shaping ? { rewardShaping: params.shaping } : {}),
      ...provenance,
    },
  };
}

export function renderCard(params: CardParams): string {
  const front = cardFrontMatter(params);
  const provenance = params.provenance.toJSON();
  const total = params.splits.reduce((sum, split) => sum + split.rows, 0);
  return [
    `---\n${stringify(front, { lineWidth: 0 })}---`,
    '',
    `# ${params.name}`,
    '',
    `Agent trajectories exported by labgym ${params.generatorVersion} as \`${params.format}\` (${params.writer}): ${params.formatDescription}.`,
    '',
    '## Splits',
    '',
    table(
      ['split', 'rows', 'files'],
      params.splits.map((split) => [split.split, split.rows, split.files.length]),
    ),
    '',
    `${total} rows from ${provenance.episodes} episodes.`,
    '',
    '## Source',
    '',
    table(
      ['inputs', 'lines read', 'records', 'duplicates dropped', 'incomplete dropped', 'bad lines skipped'],
      [
        [
          params.source.inputs.join(', '),
          params.source.lines,
          params.source.records,
          params.source.duplicates,
          params.source.incomplete,
          params.source.skippedLines,
        ],
      ],
    ),
    '',
    '## Filters',
    '',
    params.filters.length
      ? table(
          ['filter', 'meaning', 'episodes in', 'kept'],
          params.filters.map((filter) => [`\`${filter.name}\``, filter.description, filter.before, filter.after]),
        )
      : 'None: every complete episode is included.',
    '',
    '## Tasks',
    '',
    table(
      ['task', 'episodes', 'task content hash', 'evaluator hashes'],
      provenance.tasks.map((task) => [task.id, task.episodes, task.contentHashes.join(', ') || '—', task.evaluatorHashes.join(', ') || '—']),
    ),
    '',
    '## Models',
    '',
    table(
      ['model', 'episodes', 'settings'],
      provenance.models.map((model) => [model.name, model.episodes, model.settings.map((setting) => JSON.stringify(setting)).join('; ')]),
    ),
    '',
    ...(reportsScores(params) ? ['## Scores', '', bestAttemptText(provenance.bestAttempt), ''] : []),
    ...(params.shaping
      ? [
          '## Rewards',
          '',
          `Per-step rewards: validate deltas of the normalised improvement of the best score so far; final step: normalised held-out improvement; shaping ${JSON.stringify(params.shaping)}.`,
          '',
        ]
      : []),
    '## Columns',
    '',
    table(
      ['column', 'type', 'nullable'],
      params.columns.map((field) => [field.name, `\`${typeText(field.type)}\``, field.nullable ? 'yes' : 'no']),
    ),
    '',
  ].join('\n');
}
