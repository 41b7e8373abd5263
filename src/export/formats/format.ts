/** What an export format is: its columns and how episodes become rows (one episode may give 0, 1 or many). */

import type { EpisodeRecord } from '../../store/index.js';
import type { Column, Row } from '../columns.js';
import type { RewardShaping } from '../rewards.js';
import type { EpisodeSummary } from '../summary.js';

/** An OpenAI-style tool schema: {type: 'function', function: {name, description, parameters}}. */
export type ToolSchema = Record<string, unknown>;

export interface FormatOptions {
  readonly shaping?: RewardShaping;
  /** Tool schemas for episodes that used native tool calling (responseFormat "tools"). */
  readonly tools?: readonly ToolSchema[];
  /** preference: pair within task and seed ("task-seed", default) or within task only ("task"). */
  readonly pairBy?: 'task-seed' | 'task';
  /** preference: the chosen score must beat the rejected one by more than this. @default 0 */
  readonly minMargin?: number;
}

export interface RowFormat {
  readonly name: string;
  /** One line for the dataset card: what a row is and which trainers read it. */
  readonly description: string;
  readonly columns: readonly Column[];
  /** Needs the summaries of all selected episodes before the rows (pairing). */
  readonly wantsSummaries?: boolean;
  begin?(summaries: readonly EpisodeSummary[]): void;
  rows(record: EpisodeRecord): Iterable<Row>;
}
