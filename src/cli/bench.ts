/** `labgym bench step`: benchmarks that print ratios measured side by side (scripts/bench wraps them). */

import type { Command } from 'commander';
import { benchArtifactStream } from '../bench/artifact-stream.js';
import { benchGenerate } from '../bench/generate.js';
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
    .option('--resets <n>', 'proven warm resets', Number, 10)
    .option('--json', 'print the result as JSON')
    .action(async (options: { image: string; steps: number; execs: number; containers: number; resets: number; json?: boolean }) => {
      const result = await benchStep(options);
      if (options.json) return printJson(result);
      console.log(`env.step("true")      p50 ${result.stepP50Ms.toFixed(2)} ms   p95 ${result.stepP95Ms.toFixed(2)} ms   (${result.samples.steps} steps)`);
      console.log(`fresh exec of true    p50 ${result.freshExecP50Ms.toFixed(2)} ms   (${result.samples.execs} execs)`);
      console.log(`step / fresh exec     ${result.stepToExecRatio.toFixed(3)}   (goal ≤ 0.25)`);
      console.log(
        `container create+start p50 ${result.containerCreateStartP50Ms.toFixed(0)} ms; whole sandbox create+close p50 ${result.sandboxCreateP50Ms.toFixed(0)} ms`,
      );
      console.log(
        `warm reset (proven)   p50 ${result.resetP50Ms.toFixed(0)} ms   p90 ${result.resetP90Ms.toFixed(0)} ms   (goal p50 ≤ 1000; ${result.samples.resets} resets)`,
      );
    });
  bench
    .command('artifact-stream')
    .description('MB/s of a submission through the evaluator (agent sandbox → host file → evaluation sandbox) and peak RSS')
    .option('--image <image>', 'image to run', 'labgym/base:latest')
    .option('--bytes <n>', 'artifact size in bytes (sparse)', Number, 1024 ** 3)
    .option('--json', 'print the result as JSON')
    .action(async (options: { image: string; bytes: number; json?: boolean }) => {
      const result = await benchArtifactStream(options);
      if (options.json) return printJson(result);
      console.log(
        `${(result.bytes / 1e6).toFixed(0)} MB: readArchive ${result.readMBps.toFixed(1)} MB/s; evaluation ${result.evaluationMBps.toFixed(1)} MB/s (${result.evaluationSeconds.toFixed(1)} s); RSS ${result.rssBeforeMiB.toFixed(0)} → peak ${result.peakRssMiB.toFixed(0)} MiB`,
      );
    });
  bench
    .command('generate')
    .description('the generator under load: LLM-slot utilisation, host CPU per step, RSS per agent, reset p50 warm vs cold')
    .option('--agents <n>', 'concurrent agents (and in-flight slots of the endpoint)', Number, 32)
    .option('--latency <ms>', 'latency of the built-in policy server', Number, 300)
    .option('--rounds <n>', 'episodes per agent', Number, 2)
    .option('--commands <n>', 'light commands per episode before validate and submit', Number, 120)
    .option('--resets <n>', 'sequential resets (and evaluations) per side for warm vs cold', Number, 10)
    .option('--evaluators <n>', 'evaluation sandboxes started ahead (default: one per agent)', Number)
    .option('--json', 'print the result as JSON')
    .action(async (options: { agents: number; latency: number; rounds: number; commands: number; resets: number; evaluators?: number; json?: boolean }) => {
      const result = await benchGenerate({
        agents: options.agents,
        latencyMs: options.latency,
        rounds: options.rounds,
        commands: options.commands,
        resets: options.resets,
        evaluators: options.evaluators,
      });
      if (options.json) return printJson(result);
      console.log(
        `${result.agents} agents, ${result.slots} slots, ${result.latencyMs} ms latency: ${result.episodes} episodes, ${result.steps} steps in ${result.wallSeconds.toFixed(1)} s`,
      );
      console.log(
        `LLM-slot utilisation  ${result.llmSlotUtilisation.toFixed(3)} whole run, ${result.llmSlotUtilisationSteady.toFixed(3)} middle half   (goal ≥ 0.90; ${result.modelRequests} requests)`,
      );
      console.log(
        `host CPU per step     ${result.hostCpuMsPerStep.toFixed(2)} ms   host RSS per agent ${result.hostRssMiBPerAgent.toFixed(1)} MiB (peak ${result.peakRssMiB.toFixed(0)} MiB)`,
      );
      const stage = result.stageP50Ms;
      console.log(
        `per episode p50       total ${stage.total.toFixed(0)} ms: reset ${stage.reset.toFixed(0)}, model ${stage.model.toFixed(0)}, commands ${stage.commands.toFixed(0)}, evaluation ${stage.evaluation.toFixed(0)}`,
      );
      console.log(
        `reset p50 in the run  warm ${result.runResetP50Ms.warm.toFixed(0)} ms (${result.runResetP50Ms.warmSamples})   cold ${result.runResetP50Ms.cold.toFixed(0)} ms (${result.runResetP50Ms.coldSamples})`,
      );
      console.log(
        `reset p50 sequential  warm ${result.resetP50Ms.warm.toFixed(0)} ms   cold ${result.resetP50Ms.cold.toFixed(0)} ms   cold/warm ${result.resetP50Ms.coldToWarmRatio.toFixed(1)}   (goal: warm ≤ 100 ms)`,
      );
      const evaluation = result.evaluationP50Ms;
      console.log(`evaluation sandboxes  ${result.evaluationSandboxes.startedAhead} of ${result.evaluationSandboxes.total} in the run were started ahead`);
      console.log(
        `evaluation p50 seq.   started ahead ${evaluation.startedAhead.toFixed(0)} ms   own ${evaluation.own.toFixed(0)} ms   own/ahead ${evaluation.ownToAheadRatio.toFixed(2)}`,
      );
    });
}
