/** `labgym bench step`: benchmarks that print ratios measured side by side (scripts/bench wraps them). */

import type { Command } from 'commander';
import { benchStep } from '../bench/step.js';
import { printJson } from './output.js';

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks (numbers, not tests)');
  bench
    .command('step')
    .description('env.step("true") p50/p95 vs a fresh docker exec, and container create+start')
    .option('--image <image>', 'image to run', 'labgym/base:latest')
    .option('--steps <n>', 'env.step samples', Number, 500)
    .option('--execs <n>', 'fresh exec samples', Number, 100)
    .option('--containers <n>', 'container create+start samples', Number, 10)
    .option('--json', 'print the result as JSON')
    .action(async (options: { image: string; steps: number; execs: number; containers: number; json?: boolean }) => {
      const result = await benchStep(options);
      if (options.json) return printJson(result);
      console.log(`env.step("true")      p50 ${result.stepP50Ms.toFixed(2)} ms   p95 ${result.stepP95Ms.toFixed(2)} ms   (${result.samples.steps} steps)`);
      console.log(`fresh exec of true    p50 ${result.freshExecP50Ms.toFixed(2)} ms   (${result.samples.execs} execs)`);
      console.log(`step / fresh exec     ${result.stepToExecRatio.toFixed(3)}   (goal ≤ 0.25)`);
      console.log(`container create+start p50 ${result.containerCreateStartP50Ms.toFixed(0)} ms; whole sandbox create+close p50 ${result.sandboxCreateP50Ms.toFixed(0)} ms`);
    });
}
