/** `labgym show <record>`: an episode record file (JSONL) or an MLGym .traj, printed for people or as JSON. */

import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { type EpisodeRecord, fromMlgymRun, readEpisodeFile, readMlgymRun, type StepRecord } from '../store/index.js';
import { printJson } from './output.js';

const OBSERVATION_LINES = 12;

/** Control characters (ESC, CR, C1 codes) as visible `\x1b` escapes, so a record cannot drive the terminal; \n and \t stay. */
export function visibleControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function clip(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= OBSERVATION_LINES) return lines.join('\n');
  return [...lines.slice(0, OBSERVATION_LINES), `... (${lines.length - OBSERVATION_LINES} more lines)`].join('\n');
}

function describeStep(step: StepRecord): string {
  const facts = [`reward ${step.reward.toFixed(3)}`];
  if (step.modelCall) facts.push(`model ${Math.round(step.modelCall.latencyMs)} ms, ${step.modelCall.promptTokens}+${step.modelCall.completionTokens} tokens`);
  facts.push(`exec ${Math.round(step.executionMs)} ms`);
  if (step.exitCode !== undefined) facts.push(`exit code ${step.exitCode}`);
  if (step.timedOut) facts.push(`timed out (${step.timedOut})`);
  if (step.requeries.length) facts.push(`${step.requeries.length} re-quer${step.requeries.length === 1 ? 'y' : 'ies'}`);
  const lines = [`-- step ${step.index} (${facts.join(', ')})`];
  for (const requery of step.requeries) lines.push(`  format error: ${requery.formatError}`);
  const thought = step.thought.trim();
  if (thought) lines.push(indent(clip(thought), '  | '));
  lines.push(indent(step.action.replace(/\n$/, ''), '  $ '));
  if (step.observation) lines.push(indent(clip(step.observation)));
  if (step.evaluation) {
    const evaluation = step.evaluation;
    lines.push(
      `  [${evaluation.kind} on ${evaluation.split}: ${evaluation.failure ? evaluation.failure.type : `${evaluation.primaryMetric} ${evaluation.score}`}]`,
    );
  }
  if (step.exitStatus) lines.push(`  [exit status: ${step.exitStatus}]`);
  return lines.join('\n');
}

export function formatEpisode(record: EpisodeRecord): string {
  const { scores, usage } = record;
  const header = [
    `episode ${record.episodeId}${record.runId ? ` (run ${record.runId})` : ''}, from ${record.source}`,
    `task     ${record.task.id}${record.task.contentHash ? ` (content ${record.task.contentHash.slice(0, 12)})` : ''}${record.task.image ? `, image ${record.task.image}` : ''}`,
    `model    ${record.model.name}${record.model.baseUrl ? ` at ${record.model.baseUrl}` : ''}, sampling ${JSON.stringify(record.model.sampling)}`,
    `agent    ${record.agent.responseFormat} format, history ${record.agent.historyProcessor}${record.seed !== undefined ? `, seed ${record.seed}` : ''}`,
    `exit     ${record.exitStatus || '(none: crashed)'} [${record.exitReason}]${record.error ? ` (${record.error})` : ''}`,
    `scores   baseline ${scores.baseline ?? 'n/a'}; validations [${scores.validations.map((entry) => entry.score ?? 'failed').join(', ')}]; final ${scores.final?.score ?? 'none'}; best ${scores.best ?? 'none'}${scores.bestRule ? ` (${scores.bestRule})` : ''}${scores.primaryMetric ? ` (${scores.primaryMetric}, ${scores.direction ?? '?'})` : ''}`,
    `usage    ${usage.calls} calls, ${usage.retries} retries, ${usage.promptTokens}+${usage.completionTokens} tokens${usage.usageEstimated ? ' (some estimated)' : ''}, $${usage.costUsd.toFixed(4)}`,
    `steps    ${record.steps.length}, return ${record.steps.reduce((sum, step) => sum + step.reward, 0).toFixed(3)}${record.timings ? `, ${(record.timings.totalMs / 1000).toFixed(1)} s` : ''}`,
  ];
  return visibleControls([...header, '', ...record.steps.map(describeStep)].join('\n'));
}

async function readRecords(file: string): Promise<EpisodeRecord[]> {
  if (file.endsWith('.traj')) {
    const taskId = basename(file, '.traj');
    return [fromMlgymRun(readMlgymRun(file), { taskId, episodeId: basename(dirname(file)), modelName: basename(dirname(file)).split('__')[0] ?? 'unknown' })];
  }
  const { records, problems } = await readEpisodeFile(file);
  for (const problem of problems) process.stderr.write(`labgym: skipped ${problem.error.message}\n`);
  if (!records.length)
    throw new ConfigError(file, '', 'at least one valid episode record', problems.length ? `${problems.length} bad line(s)` : 'an empty file');
  return records;
}

export function registerShowCommand(program: Command): void {
  program
    .command('show <record>')
    .description('print the episodes of a record file (episodes.jsonl) or an MLGym .traj')
    .option('--episode <id>', 'only this episode')
    .option('--json', 'print the records as JSON')
    .action(async (file: string, options: { episode?: string; json?: boolean }) => {
      let records = await readRecords(file);
      if (options.episode) {
        records = records.filter((record) => record.episodeId === options.episode);
        if (!records.length) throw new ConfigError(file, 'episodeId', `an episode with id ${options.episode}`);
      }
      if (options.json) printJson(records.length === 1 ? records[0] : records);
      else console.log(records.map(formatEpisode).join('\n\n'));
    });
}
