/**
 * `labgym generate -c spec.yaml [--resume RUN_DIR]`: run a generation spec into runs/<run-id>/. Ctrl-C stops
 * scheduling and lets running episodes finish (a second Ctrl-C ends them too); the exit status is then 130.
 */

import { join } from 'node:path';
import type { Command } from 'commander';
import { loadGenerationSpec } from '../config/generation-spec.js';
import { InvalidArgumentError } from '../errors.js';
import { autoProgress, type GenerateSummary, plainProgress, startGeneration } from '../generate/index.js';
import { printJson } from './output.js';

interface GenerateOptions {
  config?: string;
  resume?: string;
  retryApi: boolean;
  json?: boolean;
}

function summaryLine(summary: GenerateSummary): string {
  const endpoints = summary.endpoints.map((endpoint) => `${endpoint.requests} requests, slot utilisation ${endpoint.utilisation.toFixed(2)}`).join('; ');
  return [
    `run ${summary.runId}: ${summary.outcome}: ${summary.alreadyDone + summary.done}/${summary.episodes} episodes complete (${summary.done} now, ${summary.alreadyDone} before), ${summary.failed} failed, ${summary.skipped} not started, ${summary.retries} retried`,
    `${summary.tokens} tokens, $${summary.costUsd.toFixed(4)}, ${(summary.wallMs / 1000).toFixed(1)} s, ${summary.trajectoriesPerHour.toFixed(0)} trajectories/hour${endpoints ? `; ${endpoints}` : ''}`,
    `run directory: ${summary.runDir}${summary.outcome === 'completed' ? '' : ` (finish it with: labgym generate --resume ${summary.runDir})`}`,
  ].join('\n');
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('run a generation spec (tasks × models × seeds × attempts) into runs/<run-id>/')
    .option('-c, --config <spec.yaml>', 'the generation spec')
    .option('--resume <run-dir>', 'finish the missing episodes of a run (its saved spec is used)')
    .option('--no-retry-api', 'on resume, keep the episodes that ended exit_api with the endpoint unreachable (default: run them again)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: GenerateOptions) => {
      if (!options.config === !options.resume) throw new InvalidArgumentError('generate: give either -c <spec.yaml> or --resume <run-dir>');
      const source = options.resume ? join(options.resume, 'spec.yaml') : options.config!;
      const spec = loadGenerationSpec(source);
      const progress = options.json ? plainProgress() : autoProgress();
      const run = await startGeneration({ spec, source, resumeDir: options.resume, retryApi: options.retryApi, progress, log: (line) => progress.line(line) });
      let interrupts = 0;
      const onSignal = () => {
        interrupts += 1;
        if (interrupts === 1) {
          progress.line('stopping: no new episodes; running ones finish (Ctrl-C again to end them now)');
          run.stop();
        } else {
          progress.line('aborting the running episodes');
          run.abort();
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const summary = await run.done.finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      if (options.json) printJson(summary);
      else console.log(summaryLine(summary));
      if (summary.outcome === 'interrupted') process.exitCode = 130;
      else if (summary.outcome === 'failed') process.exitCode = 1;
    });
}
