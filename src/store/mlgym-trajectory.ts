/**
 * Converters between labgym episode records and MLGym's run files (reference §6): `<task>.traj` (environment,
 * trajectory, history, info) and `results.json` ({agent: score list, baseline}). MLGym keeps less than labgym
 * (no re-queries, seeds, timings or split labels), so an import leaves those fields out rather than guessing.
 */

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { validateConfig } from '../config/yaml.js';
import { ConfigError } from '../errors.js';
import {
  type ChatMessage,
  EPISODE_SCHEMA_VERSION,
  type EpisodeRecord,
  EpisodeRecordSchema,
  exitReasonOf,
  type ScoreEntry,
  type StepRecord,
  timedOutFromText,
} from './episode-record.js';

const Metrics = z.record(z.string(), z.number());

export const MlgymTrajectoryStepSchema = z.looseObject({
  action: z.string(),
  observation: z.string().nullable().default(''),
  response: z.string(),
  state: z.string().optional(),
  thought: z.string().default(''),
  execution_time: z.number().optional(),
});

export const MlgymHistoryItemSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().nullable().default(''),
  agent: z.string().optional(),
  thought: z.string().optional(),
  action: z.string().optional(),
  is_demo: z.boolean().optional(),
});

export const MlgymTrajSchema = z.looseObject({
  environment: z.string().optional(),
  trajectory: z.array(MlgymTrajectoryStepSchema),
  history: z.array(MlgymHistoryItemSchema),
  info: z.looseObject({
    model_stats: z
      .looseObject({
        total_cost: z.number().optional(),
        task_cost: z.number().optional(),
        tokens_sent: z.number().optional(),
        tokens_received: z.number().optional(),
        api_calls: z.number().optional(),
      })
      .optional(),
    exit_status: z.string().optional(),
    submission: z.string().nullable().optional(),
    score: z.array(Metrics).optional(),
  }),
});

export const MlgymResultsSchema = z.looseObject({ agent: z.array(Metrics), baseline: Metrics.optional() });

export type MlgymTraj = z.output<typeof MlgymTrajSchema>;
export type MlgymResults = z.output<typeof MlgymResultsSchema>;

export interface MlgymRun {
  readonly traj: MlgymTraj;
  readonly results?: MlgymResults;
}

/** MLGym's state string, as Python's json.dumps writes it. */
function stateString(state: StepRecord['state']): string {
  return `{"open_file": ${JSON.stringify(state?.openFile ?? 'n/a')}, "working_dir": ${JSON.stringify(state?.workingDir ?? '')}}`;
}

/** Every successful evaluation (validations, then the final one): MLGym's unlabelled `info.score` list. */
function scoreList(record: EpisodeRecord): Record<string, number>[] {
  const entries = [...record.scores.validations, ...(record.scores.final ? [record.scores.final] : [])];
  return entries.filter((entry) => Object.keys(entry.metrics).length > 0).map((entry) => ({ ...entry.metrics }));
}

/** A labgym record as MLGym's `.traj` and `results.json`. */
export function toMlgymRun(record: EpisodeRecord): { traj: MlgymTraj; results: MlgymResults } {
  // Each assistant message is the response of the next step that holds it (exit pseudo-steps hold none).
  let stepIndex = 0;
  const history = record.messages.map((message) => {
    const item: MlgymTraj['history'][number] = {
      role: message.role === 'tool' ? 'user' : message.role,
      content: message.content ?? '',
      agent: 'primary_0',
    };
    if (message.role === 'assistant') {
      const found = record.steps.findIndex((step, i) => i >= stepIndex && step.response === (message.content ?? ''));
      if (found >= 0) {
        stepIndex = found + 1;
        Object.assign(item, { thought: record.steps[found]!.thought, action: record.steps[found]!.action });
      }
    }
    return item;
  });
  const scores = scoreList(record);
  const finalEvaluation = record.steps.at(-1)?.evaluation;
  const submitted = record.scores.final !== undefined || finalEvaluation?.kind === 'submit' || finalEvaluation?.kind === 'auto';
  const traj: MlgymTraj = {
    environment: 'mlgym_main',
    trajectory: record.steps.map((step) => ({
      action: step.action,
      observation: step.observation,
      response: step.response,
      state: stateString(step.state),
      thought: step.thought,
      execution_time: step.executionMs / 1000,
    })),
    history,
    info: {
      model_stats: {
        total_cost: record.usage.costUsd,
        task_cost: record.usage.costUsd,
        tokens_sent: record.usage.promptTokens,
        tokens_received: record.usage.completionTokens,
        api_calls: record.usage.calls,
      },
      exit_status: record.exitStatus,
      submission: submitted ? (finalEvaluation?.submission ?? null) : null,
      score: scores,
      summarizer: {},
    },
  };
  const baseline = record.scores.baseline !== undefined && record.scores.primaryMetric ? { [record.scores.primaryMetric]: record.scores.baseline } : {};
  return { traj, results: { agent: scores, baseline } };
}

/** Write `<dir>/<task id>.traj` and `<dir>/results.json`. */
export async function writeMlgymRun(record: EpisodeRecord, dir: string): Promise<string> {
  const { traj, results } = toMlgymRun(record);
  await mkdir(dir, { recursive: true });
  const trajPath = join(dir, `${record.task.id}.traj`);
  await writeFile(trajPath, JSON.stringify(traj, null, 2));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  return trajPath;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, '', 'a readable JSON file', (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '', 'valid JSON', (error as Error).message);
  }
}

/** Read an MLGym `.traj`, and the `results.json` beside it when there is one. */
export function readMlgymRun(trajPath: string): MlgymRun {
  const traj = validateConfig(trajPath, MlgymTrajSchema, readJson(trajPath));
  const resultsPath = join(dirname(trajPath), 'results.json');
  const results = existsSync(resultsPath) ? validateConfig(resultsPath, MlgymResultsSchema, readJson(resultsPath)) : undefined;
  return { traj, results };
}

export interface MlgymImportParams {
  readonly taskId: string;
  readonly episodeId: string;
  readonly modelName: string;
  /** The metric the scores are ranked by; by default the baseline's first metric. */
  readonly primaryMetric?: string;
  readonly direction?: 'maximize' | 'minimize';
}

function parseState(state: string | undefined): StepRecord['state'] {
  if (!state) return undefined;
  try {
    const value = JSON.parse(state) as { open_file?: unknown; working_dir?: unknown };
    return { openFile: String(value.open_file ?? 'n/a'), workingDir: String(value.working_dir ?? '') };
  } catch {
    return undefined; // MLGym builds this JSON by string concatenation; quotes in paths break it
  }
}

/** An MLGym run as a labgym record. Scores are labelled by matching validate steps in order; the rest is the final score. */
export function fromMlgymRun(run: MlgymRun, params: MlgymImportParams): EpisodeRecord {
  const { traj, results } = run;
  const exitStatus = traj.info.exit_status ?? '';
  const scoreList = traj.info.score ?? results?.agent ?? [];
  const primaryMetric = params.primaryMetric ?? Object.keys(results?.baseline ?? scoreList[0] ?? {})[0];
  const pick = (metrics: Record<string, number>) => (primaryMetric === undefined ? undefined : metrics[primaryMetric]);

  const validations: ScoreEntry[] = [];
  let next = 0;
  traj.trajectory.forEach((step, i) => {
    if (step.action.trim() === 'validate' && /Evaluation Score:/.test(step.observation ?? '') && next < scoreList.length) {
      const metrics = scoreList[next++]!;
      validations.push({ step: i + 1, metrics, score: pick(metrics) });
    }
  });
  const finalMetrics = next < scoreList.length ? scoreList.at(-1) : undefined;
  const final: ScoreEntry | undefined = finalMetrics && { step: traj.trajectory.length, metrics: finalMetrics, score: pick(finalMetrics) };
  const direction = params.direction ?? 'maximize';
  const candidates = [...validations, ...(final ? [final] : [])].flatMap((entry) => (entry.score === undefined ? [] : [entry.score]));
  const best = candidates.length ? (direction === 'maximize' ? Math.max(...candidates) : Math.min(...candidates)) : undefined;
  const submitted = exitStatus === 'submitted' || exitStatus.endsWith('(submit)');

  const steps: StepRecord[] = traj.trajectory.map((step, i) => {
    const isLast = i === traj.trajectory.length - 1;
    const timedOut = timedOutFromText(step.observation ?? '');
    return {
      index: i + 1,
      response: step.response,
      thought: step.thought,
      action: step.action,
      observation: step.observation ?? '',
      ...(timedOut ? { timedOut } : {}),
      reward: 0, // MLGym's reward is always 0
      terminated: isLast && submitted,
      truncated: isLast && !submitted && exitStatus !== '',
      state: parseState(step.state),
      requeries: [],
      executionMs: (step.execution_time ?? 0) * 1000,
      ...(isLast && exitStatus ? { exitStatus } : {}),
    };
  });
  const messages: ChatMessage[] = traj.history.filter((item) => !item.is_demo).map((item) => ({ role: item.role, content: item.content ?? '' }));
  const stats = traj.info.model_stats ?? {};
  const promptTokens = Math.round(stats.tokens_sent ?? 0);
  const completionTokens = Math.round(stats.tokens_received ?? 0);
  const baseline = primaryMetric === undefined ? undefined : results?.baseline?.[primaryMetric];

  // Through JSON once, so fields left undefined are absent, exactly as after a write and a read.
  const record: EpisodeRecord = {
    schemaVersion: EPISODE_SCHEMA_VERSION,
    episodeId: params.episodeId,
    source: 'mlgym',
    task: { id: params.taskId },
    model: { name: params.modelName, sampling: {} },
    agent: { responseFormat: 'mlgym', historyProcessor: 'unknown', maxRequeries: 3 },
    limits: {},
    messages,
    steps,
    exitStatus,
    exitReason: exitReasonOf(exitStatus),
    scores: { primaryMetric, direction: params.direction, baseline, validations, final, best },
    usage: {
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      calls: Math.round(stats.api_calls ?? 0),
      retries: 0,
      costUsd: stats.task_cost ?? stats.total_cost ?? 0,
      usageEstimated: false,
      gpuSeconds: 0,
    },
    integrity: { evaluatorHashes: [], evaluatedOutsideAgentSandbox: false },
  };
  return EpisodeRecordSchema.parse(JSON.parse(JSON.stringify(record)));
}
