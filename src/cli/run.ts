/**
 * `labgym run`: one episode of one task with one model, its record appended to <out>/episodes.jsonl.
 * A built-in policy (scripted, replay:...) without --base-url is served in-process on 127.0.0.1.
 */

import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { runEpisode, type HistoryProcessorSpec } from '../agent/index.js';
import { LabgymEnv, type EnvTask } from '../env/index.js';
import { resolveTask, type TaskScale } from '../tasks/index.js';
import { InvalidArgumentError } from '../errors.js';
import { isBuiltinPolicy, loadPriceTable, ModelClient, PolicyResolver, startPolicyServer, type PolicyServer } from '../models/index.js';
import { dockerClient } from '../sandbox/index.js';
import { appendEpisode, type EpisodeRecord, type ResponseFormat } from '../store/index.js';
import { scaleOption } from './options.js';
import { printJson } from './output.js';

/** The one place a task reference ("titanic", "cifar10:sample") becomes a runnable task: the catalog. */
export async function lookupTask(ref: string, scale: TaskScale, mlgymCompatible = false): Promise<{ task: EnvTask; contentHash: string; image: string }> {
  const resolved = await resolveTask(ref, { scale, mlgymCompatible });
  return { task: resolved.envTask, contentHash: resolved.contentHash, image: resolved.image };
}

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
}

function number(name: string, check: (value: number) => boolean = Number.isFinite, expected = 'a number') {
  return (text: string) => {
    const value = Number(text);
    if (text.trim() === '' || !check(value)) throw new InvalidArgumentError(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
    return value;
  };
}
const integer = (name: string) => number(name, Number.isInteger, 'an integer');
const positive = (name: string) => number(name, (value) => value > 0, 'a positive number');
const positiveInteger = (name: string) => number(name, (value) => Number.isInteger(value) && value > 0, 'a positive integer');

function historySpec(text: string): HistoryProcessorSpec {
  if (text === 'identity' || text === 'closed_window') return { type: text };
  const lastN = text.match(/^last(\d+)$/);
  if (lastN && Number(lastN[1]) > 0) return { type: 'last_n_observations', n: Number(lastN[1]) };
  throw new InvalidArgumentError(`--history: expected last<N> (e.g. last5), closed_window or identity, got ${JSON.stringify(text)}`);
}

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `run-${stamp}-${randomBytes(2).toString('hex')}`);
}

export async function runCommand(options: RunOptions, log: (line: string) => void): Promise<{ record: EpisodeRecord; file: string }> {
  const history = historySpec(options.history);
  if (!['mlgym', 'xml', 'tools'].includes(options.format)) throw new InvalidArgumentError(`--format: expected mlgym, xml or tools, got ${JSON.stringify(options.format)}`);
  const pricing = options.prices ? loadPriceTable(options.prices)[options.model] : undefined;
  if (options.costLimit !== undefined && !pricing) {
    throw new InvalidArgumentError(`--cost-limit: needs the prices of model ${options.model} (--prices <file> with an entry for it); without them every call costs 0`);
  }
  const { task, contentHash, image } = await lookupTask(options.task, options.scale, options.mlgymCompatible);
  const imageId = (await dockerClient().getImage(image).inspect()).Id;

  let server: PolicyServer | undefined;
  let baseUrl = options.baseUrl ?? process.env.OPENAI_BASE_URL;
  if (!options.baseUrl && isBuiltinPolicy(options.model)) {
    // Load the policy first, so a bad policy.yaml or record is one clear error before anything starts.
    await new PolicyResolver().resolve(options.model === 'scripted' ? `scripted:${task.id}` : options.model);
    server = await startPolicyServer();
    baseUrl = server.baseUrl;
  }
  if (!baseUrl) throw new InvalidArgumentError(`--base-url: expected the endpoint of model ${options.model} (or set OPENAI_BASE_URL); the built-in policies (scripted, replay:<record>) need none`);

  const out = resolve(options.out ?? defaultOutDir());
  await mkdir(out, { recursive: true });
  const file = join(out, 'episodes.jsonl');
  const client = new ModelClient({
    baseUrl,
    model: options.model,
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
  });
  const env = new LabgymEnv({ maxSteps: options.maxSteps, mlgymCompatible: options.mlgymCompatible });
  const closeOnSignal = () => void Promise.all([env.close(), server?.close()]).finally(() => process.exit(130));
  process.once('SIGINT', closeOnSignal);
  try {
    log(`episode: task ${task.id}, model ${options.model}, seed ${options.seed}, endpoint ${server ? 'built-in policy server' : baseUrl}`);
    const record = await runEpisode({
      env,
      task,
      client,
      seed: options.seed,
      agent: { responseFormat: options.format, historyProcessor: history },
      limits: options.costLimit !== undefined ? { episodeCostUsd: options.costLimit } : {},
      taskInfo: { contentHash, imageId },
      onStep: (step) => {
        const score = step.evaluation?.score !== undefined ? `, ${step.evaluation.split} score ${step.evaluation.score}` : '';
        const requeries = step.requeries.length ? `, ${step.requeries.length} re-quer${step.requeries.length === 1 ? 'y' : 'ies'}` : '';
        log(`step ${step.index}: ${step.action.trim().split('\n')[0]}  (reward ${step.reward.toFixed(3)}${score}${requeries})`);
      },
    });
    await appendEpisode(file, record);
    return { record, file };
  } finally {
    process.off('SIGINT', closeOnSignal);
    await env.close();
    await server?.close();
  }
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run one episode and append its record to <out>/episodes.jsonl')
    .requiredOption('--task <id>', 'task id (or id:variant), e.g. battleOfSexes; `labgym tasks list` shows them')
    .requiredOption('--model <name>', 'model name at the endpoint, or a built-in policy: scripted, replay:<record file or .traj>')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL; built-in policies run in-process)')
    .option('--seed <n>', 'environment and sampling seed', integer('seed'), 0)
    .option('--out <dir>', 'run directory for episodes.jsonl (default: runs/run-<time>)')
    .option('--scale <scale>', 'task scale: full, or reduced (the CI scale)', scaleOption, 'full')
    .option('--mlgym-compatible', "MLGym's behaviour: validate scores the test split, MLGym's observation post-processing")
    .option('--max-steps <n>', 'steps before autosubmission', positiveInteger('max-steps'), 50)
    .option('--format <format>', 'response format: mlgym (fenced block), xml, tools', 'mlgym')
    .option('--history <processor>', 'history processor: last<N>, closed_window, identity', 'last5')
    .option('--temperature <t>', 'sampling temperature', number('temperature'))
    .option('--top-p <p>', 'nucleus sampling', number('top-p'))
    .option('--max-tokens <n>', 'most tokens per answer', positiveInteger('max-tokens'))
    .option('--timeout <seconds>', 'per-request timeout', positive('timeout'), 120)
    .option('--max-retries <n>', 'retries on 429, 5xx, timeouts and connection errors', integer('max-retries'), 4)
    .option('--api-key-env <name>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--prices <file>', 'price table (YAML: model -> inputPerMillionTokens, outputPerMillionTokens)')
    .option('--context-window <tokens>', 'context window of the model', positiveInteger('context-window'))
    .option('--cost-limit <usd>', 'most the episode may spend', positive('cost-limit'))
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
