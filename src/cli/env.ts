/** `labgym env shell`: an interactive ACI session in a fresh sandbox, to try the environment by hand. */

import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { aci, type EnvTask, LabgymEnv } from '../env/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { EvaluationRecord, Evaluator } from '../eval/index.js';
import { runDemoEpisode } from '../tasks/index.js';
import { printJson } from './output.js';

/** A bare image has no task, so validate and submit say so instead of scoring. */
const noEvaluator: Evaluator = {
  evaluate: async ({ kind }): Promise<EvaluationRecord> => ({
    kind,
    split: kind === 'validate' ? 'validation' : 'test',
    metrics: {},
    primaryMetric: 'score',
    direction: 'maximize',
    failure: { type: 'evaluation_error', message: 'this session has no task, so there is nothing to evaluate (started with --image)' },
    durationMs: 0,
    evaluatorHash: 'none',
  }),
};

function positiveInteger(name: string) {
  return (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`--${name}: expected a positive integer, got ${JSON.stringify(value)}`);
    return number;
  };
}

export function registerEnvCommands(program: Command): void {
  const env = program.command('env').description('the agent environment');
  env
    .command('shell')
    .description('type ACI and shell commands into a sandbox, as an agent would (exit or Ctrl-D to leave)')
    .requiredOption('--image <image>', 'image to start, e.g. labgym/base:latest')
    .option('--window <lines>', 'lines the file viewer shows', positiveInteger('window'), 1000)
    .option('--cpus <n>', 'CPU cores', Number, 1)
    .option('--memory <size>', 'memory limit, e.g. 2g', '2g')
    .option('--pids <n>', 'process limit', positiveInteger('pids'), 512)
    .option('--timeout <seconds>', 'per-command timeout', positiveInteger('timeout'), 25)
    .action(async (options: { image: string; window: number; cpus: number; memory: string; pids: number; timeout: number }) => {
      const task: EnvTask = {
        id: 'shell',
        image: options.image,
        description: `Interactive session in ${options.image}.`,
        workspace: [],
        evaluator: noEvaluator,
        limits: { cpus: options.cpus, memory: options.memory, pids: options.pids },
      };
      const session = new LabgymEnv({ maxSteps: Number.MAX_SAFE_INTEGER, shortTimeoutMs: options.timeout * 1000, aci: { window: options.window } });
      const closeOnSignal = () => void session.close().finally(() => process.exit(130));
      process.once('SIGINT', closeOnSignal);
      try {
        const { info } = await session.reset({ task });
        const prompt = (state: { openFile: string; workingDir: string }) => `(Open file: ${state.openFile})\n(Current directory: ${state.workingDir})\nbash-$ `;
        process.stdout.write(`ACI commands:\n${aci.renderCommandDocs()}\n${prompt(info.state)}`);
        const endings = aci.multilineCommands();
        const lines = createInterface({ input: process.stdin, terminal: false });
        let pending: { lines: string[]; endName: string } | undefined;
        for await (const line of lines) {
          if (pending) {
            pending.lines.push(line);
            if (line.trim() !== pending.endName) continue;
          } else {
            const first = line.trim().split(/\s+/)[0] ?? '';
            if (first === 'exit' || first === 'quit') break;
            if (!line.trim()) {
              process.stdout.write('bash-$ ');
              continue;
            }
            const endName = endings.get(first);
            if (endName && !line.includes('<<')) {
              pending = { lines: [line], endName };
              continue;
            }
            pending = { lines: [line], endName: '' };
          }
          const action = pending.lines.join('\n');
          pending = undefined;
          const result = await session.step(action);
          if (result.observation) process.stdout.write(result.observation.endsWith('\n') ? result.observation : `${result.observation}\n`);
          if (result.terminated || result.truncated) break;
          process.stdout.write(prompt(result.info.state));
        }
      } finally {
        process.off('SIGINT', closeOnSignal);
        await session.close();
      }
    });

  env
    .command('demo')
    .description('run the demo episode (scripted actions on tasks/numberGuess) and print each step')
    .option('--image <image>', 'image to run', 'labgym/base:latest')
    .option('--json', 'print the steps as JSON')
    .action(async (options: { image: string; json?: boolean }) => {
      const steps = await runDemoEpisode(options.image, ({ action, result }) => {
        if (options.json) return;
        console.log(`$ ${action.split('\n').join('\n  ')}`);
        if (result.observation) console.log(result.observation.trimEnd());
        console.log(
          `  [step ${result.info.step}: reward ${result.reward.toFixed(3)}${result.info.evaluation ? `, ${result.info.evaluation.split} score ${result.info.evaluation.score}` : ''}]`,
        );
      });
      const last = steps.at(-1)?.result;
      const summary = {
        steps: steps.length,
        exitStatus: last?.info.exitStatus,
        finalScore: last?.info.evaluation?.score,
        return: steps.reduce((sum, step) => sum + step.result.reward, 0),
      };
      if (options.json) printJson({ ...summary, trajectory: steps.map(({ action, result }) => ({ action, ...result })) });
      else console.log(`episode ended: ${summary.exitStatus}, final (test) score ${summary.finalScore}, return ${summary.return.toFixed(3)}`);
    });
}
