/**
 * `labgym run`: one episode of one task with one model, its record appended to <out>/episodes.jsonl.
 * A built-in policy (scripted, replay:...) without --base-url is served in-process on 127.0.0.1.
 */

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { HistoryProcessorSpec } from '../agent/index.js';
import { MAX_SEED } from '../config/generation-spec.js';
import { InvalidArgumentError } from '../errors.js';
import { parseHistoryProcessor, runSingleEpisode, type SingleEpisodeParams, type SingleEpisodeResult } from '../generate/index.js';
import { isBuiltinPolicy, loadPriceTable } from '../models/index.js';
import { DEFAULT_SANDBOX_BACKEND } from '../sandbox/index.js';
import type { ResponseFormat } from '../store/index.js';
import type { TaskScale } from '../tasks/index.js';
import { scaleOption } from './options.js';
import { printJson } from './output.js';

interface RunOptions {
  task: string;
  model: string;
  baseUrl?: string;
  seed: number;
  out?: string;
  json?: boolean;
  scale: TaskScale;
  mlgymCompatible?: boolean;
  maxSteps: number;
  format: ResponseFormat;
  history: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  timeout: number;
  maxRetries: number;
  apiKeyEnv: string;
  prices?: string;
  contextWindow?: number;
  costLimit?: number;
  backend: string;
}

function number(name: string, check: (value: number) => boolean = Number.isFinite, expected = 'a number') {
  return (text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !check(value)) throw new InvalidArgumentError(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
    return value;
  };
}
const between = (name: string, low: number, high: number, integral = false) =>
  number(
    name,
    (value) => (integral ? Number.isInteger(value) : Number.isFinite(value)) && value >= low && value <= high,
    `${integral ? 'an integer' : 'a number'} from ${low} to ${high}`,
  );
const positive = (name: string) => number(name, (value) => value > 0, 'a positive number');
const positiveInteger = (name: string) => number(name, (value) => Number.isInteger(value) && value > 0, 'a positive integer');

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `run-${stamp}-${randomBytes(2).toString('hex')}`);
}

/** The flags as library parameters; bad flags are one InvalidArgumentError line each. */
export function singleEpisodeParams(options: RunOptions, log: (line: string) => void): SingleEpisodeParams {
  let historyProcessor: HistoryProcessorSpec;
  try {
    historyProcessor = parseHistoryProcessor(options.history);
  } catch (error) {
    throw new InvalidArgumentError(`--${(error as Error).message}`);
  }
  if (!['mlgym', 'xml', 'tools'].includes(options.format))
    throw new InvalidArgumentError(`--format: expected mlgym, xml or tools, got ${JSON.stringify(options.format)}`);
  const pricing = options.prices ? loadPriceTable(options.prices)[options.model] : undefined;
  if (options.costLimit !== undefined && !pricing) {
    throw new InvalidArgumentError(
      `--cost-limit: needs the prices of model ${options.model} (--prices <file> with an entry for it); without them every call costs 0`,
    );
  }
  const baseUrl = options.baseUrl ?? (isBuiltinPolicy(options.model) ? undefined : process.env.OPENAI_BASE_URL);
  if (!baseUrl && !isBuiltinPolicy(options.model)) {
    throw new InvalidArgumentError(
      `--base-url: expected the endpoint of model ${options.model} (or set OPENAI_BASE_URL); the built-in policies (scripted, replay:<record>) need none`,
    );
  }
  return {
    task: options.task,
    model: {
      model: options.model,
      ...(baseUrl ? { baseUrl } : {}),
      apiKeyEnv: options.apiKeyEnv,
      sampling: {
        seed: options.seed,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.topP !== undefined ? { topP: options.topP } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      },
      timeoutMs: options.timeout * 1000,
      maxRetries: options.maxRetries,
      ...(pricing ? { pricing } : {}),
      ...(options.contextWindow !== undefined ? { contextWindowTokens: options.contextWindow } : {}),
    },
    outDir: options.out ?? defaultOutDir(),
    seed: options.seed,
    scale: options.scale,
    mlgymCompatible: options.mlgymCompatible ?? false,
    maxSteps: options.maxSteps,
    agent: { responseFormat: options.format, historyProcessor },
    ...(options.costLimit !== undefined ? { episodeCostUsd: options.costLimit } : {}),
    backend: options.backend,
    log,
    onStep: (step) => {
      const score = step.evaluation?.score !== undefined ? `, ${step.evaluation.split} score ${step.evaluation.score}` : '';
      const requeries = step.requeries.length ? `, ${step.requeries.length} re-quer${step.requeries.length === 1 ? 'y' : 'ies'}` : '';
      log(`step ${step.index}: ${step.action.trim().split('\n')[0]}  (reward ${step.reward.toFixed(3)}${score}${requeries})`);
    },
  };
}

/** Run one episode; Ctrl-C ends it without recording it. */
export async function runCommand(options: RunOptions, log: (line: string) => void): Promise<SingleEpisodeResult> {
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  try {
    return await runSingleEpisode({ ...singleEpisodeParams(options, log), signal: interrupt.signal });
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run one episode and append its record to <out>/episodes.jsonl')
    .requiredOption('--task <id>', 'task id (or id:variant), e.g. battleOfSexes; `labgym tasks list` shows them')
    .requiredOption('--model <name>', 'model name at the endpoint, or a built-in policy: scripted, replay:<record file or .traj>')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL; built-in policies run in-process)')
    .option('--seed <n>', 'environment and sampling seed', between('seed', 0, MAX_SEED, true), 0)
    .option('--out <dir>', 'run directory for episodes.jsonl (default: runs/run-<time>)')
    .option('--scale <scale>', 'task scale: full, or reduced (the CI scale)', scaleOption, 'full')
    .option('--mlgym-compatible', "MLGym's behaviour: validate scores the test split, MLGym's observation post-processing")
    .option('--max-steps <n>', 'steps before autosubmission', positiveInteger('max-steps'), 50)
    .option('--format <format>', 'response format: mlgym (fenced block), xml, tools', 'mlgym')
    .option('--history <processor>', 'history processor: last<N>, closed_window, identity', 'last5')
    .option('--temperature <t>', 'sampling temperature', between('temperature', 0, 2))
    .option(
      '--top-p <p>',
      'nucleus sampling',
      number('top-p', (value) => value > 0 && value <= 1, 'a number above 0, at most 1'),
    )
    .option('--max-tokens <n>', 'most tokens per answer', positiveInteger('max-tokens'))
    .option('--timeout <seconds>', 'per-request timeout', positive('timeout'), 120)
    .option('--max-retries <n>', 'retries on 429, 5xx, timeouts and connection errors', between('max-retries', 0, 100, true), 4)
    .option('--api-key-env <name>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--prices <file>', 'price table (YAML: model -> inputPerMillionTokens, outputPerMillionTokens)')
    .option('--context-window <tokens>', 'context window of the model', positiveInteger('context-window'))
    .option('--cost-limit <usd>', 'most the episode may spend', positive('cost-limit'))
    .option('--backend <name>', 'sandbox backend', DEFAULT_SANDBOX_BACKEND)
    .option('--json', 'print the result as JSON')
    .action(async (options: RunOptions) => {
      const { record, file } = await runCommand(options, options.json ? () => {} : (line) => process.stderr.write(`${line}\n`));
      const summary = {
        episodeId: record.episodeId,
        file,
        exitStatus: record.exitStatus,
        steps: record.steps.length,
        scores: record.scores,
        return: record.steps.reduce((sum, step) => sum + step.reward, 0),
        usage: record.usage,
        ...(record.error ? { error: record.error } : {}),
      };
      if (options.json) printJson(summary);
      else
        console.log(
          `episode ${record.episodeId}: ${record.exitStatus}, ${record.steps.length} steps, final score ${record.scores.final?.score ?? 'none'}, best ${record.scores.best ?? 'none'}, return ${summary.return.toFixed(3)}\nrecord: ${file}`,
        );
    });
}
