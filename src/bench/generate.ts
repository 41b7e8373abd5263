/**
 * `labgym bench generate`: the generator under load in one run: N concurrent agents against the built-in policy
 * server (fixed latency, N endpoint slots) on a light copy of numberGuess. Reports slot utilisation, host CPU and RSS,
 * reset p50 warm vs cold and evaluation p50 started-ahead vs own, in the run and sequentially side by side.
 */

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { parseGenerationSpec } from '../config/generation-spec.js';
import { LabgymEnv } from '../env/index.js';
import { EvaluationPool, generate, WarmPool } from '../generate/index.js';
import { readJournal, readRunEpisodes } from '../store/index.js';
import { type CatalogDirs, DEFAULT_DIRS, resolveTask } from '../tasks/index.js';
import { percentile } from './stats.js';

export interface GenerateBenchParams {
  /** Concurrent agents, and in-flight slots of the endpoint. */
  readonly agents: number;
  readonly latencyMs: number;
  /** Episodes per agent. */
  readonly rounds: number;
  /** Light commands per episode before validate and submit. */
  readonly commands: number;
  /** Sequential resets per side for the warm-vs-cold comparison (and evaluations per side for spare vs own). */
  readonly resets: number;
  /** Evaluation sandboxes started ahead (spec warmPool.evaluators). @default agents */
  readonly evaluators?: number;
}

export interface GenerateBenchResult {
  readonly agents: number;
  readonly slots: number;
  readonly latencyMs: number;
  readonly episodes: number;
  readonly steps: number;
  readonly wallSeconds: number;
  /** Busy slot-time / (slots × time from the first request to the last answer). Goal ≥ 0.90. */
  readonly llmSlotUtilisation: number;
  /** The same over the middle half of the run (no container-start ramp, no final evaluations). */
  readonly llmSlotUtilisationSteady: number;
  readonly modelRequests: number;
  /** CPU time of this process (generator, agents and the in-process policy server) per agent step. */
  readonly hostCpuMsPerStep: number;
  /** (Peak RSS during the run − RSS before) / agents. */
  readonly hostRssMiBPerAgent: number;
  readonly peakRssMiB: number;
  readonly trajectoriesPerHour: number;
  /** Median per-episode stage times in the run (ms), from the journal: where an agent's time went. */
  readonly stageP50Ms: Readonly<Record<'reset' | 'model' | 'commands' | 'evaluation' | 'total', number>>;
  /** Resets inside the run, by how the sandbox was got. */
  readonly runResetP50Ms: { readonly warm: number; readonly cold: number; readonly warmSamples: number; readonly coldSamples: number };
  /** Sequential resets on an idle generator: warm pool vs a container start each time. Goal: warm ≤ 100 ms. */
  readonly resetP50Ms: { readonly warm: number; readonly cold: number; readonly coldToWarmRatio: number; readonly samples: number };
  /** Evaluation sandboxes in the run: how many were handed out, and how many had been started ahead. */
  readonly evaluationSandboxes: { readonly total: number; readonly startedAhead: number };
  /** Sequential evaluations on an idle generator: in a sandbox started ahead vs one started for it. */
  readonly evaluationP50Ms: { readonly startedAhead: number; readonly own: number; readonly ownToAheadRatio: number; readonly samples: number };
}

/** A temporary catalog holding benchLight: numberGuess with a policy of `commands` cheap commands. */
async function lightCatalog(root: string, commands: number): Promise<CatalogDirs> {
  const tasks = join(root, 'tasks');
  const dir = join(tasks, 'benchLight');
  await cp(join(DEFAULT_DIRS.tasks, 'numberGuess'), dir, { recursive: true });
  const yaml = (await readFile(join(dir, 'task.yaml'), 'utf8')).replace(/^id: numberGuess$/m, 'id: benchLight');
  await writeFile(join(dir, 'task.yaml'), yaml);
  const light = ['ls', 'cat guess.py', 'echo "$PWD"', 'wc -l guess.py', 'head -n 1 guess.py', 'date +%s'];
  const policy = {
    schemaVersion: 1,
    task: 'benchLight',
    metric: { name: 'score', direction: 'maximize' },
    explore: Array.from({ length: commands }, (_, i) => light[i % light.length]!),
    produce: ['python3 guess.py'],
    experiments: { min: 0, max: 0 },
    slots: [{ name: 'guess', restore: ['open guess.py'], moves: [{ name: 'keep', kind: 'hyperparameter', commands: ['open guess.py'] }] }],
  };
  await writeFile(join(dir, 'policy.yaml'), stringify(policy));
  return { tasks, datasets: DEFAULT_DIRS.datasets };
}

/**
 * The light task's scripted policy runs many cheap commands before it validates and submits. The side-by-side runs
 * compare resets from the warm pool with a container start each time, and evaluations in a sandbox started ahead
 * with one that starts its own.
 */
export async function benchGenerate(params: GenerateBenchParams): Promise<GenerateBenchResult> {
  const root = await mkdtemp(join(tmpdir(), 'labgym-bench-generate-'));
  try {
    const catalogDirs = await lightCatalog(root, params.commands);
    const spec = parseGenerationSpec('bench', {
      schemaVersion: 1,
      name: 'bench',
      tasks: ['benchLight'],
      models: [{ name: 'scripted', timeoutSeconds: 600 }],
      seeds: { count: params.agents * params.rounds },
      scale: 'reduced',
      agent: { maxSteps: params.commands + 10, history: 'last5' },
      concurrency: { episodes: params.agents, requestsPerEndpoint: params.agents },
      resources: { gpus: 'none', cpuSlots: params.agents },
      warmPool: { perImage: Math.min(8, params.agents), evaluators: params.evaluators ?? params.agents },
      policyServer: { latencyMs: params.latencyMs },
      output: { dir: join(root, 'runs') },
    });

    // Build the image before measuring anything.
    const task = await resolveTask('benchLight', { scale: 'reduced', dirs: catalogDirs });

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const cpuBefore = process.cpuUsage();
    const summary = await generate({ spec, source: 'bench', catalogDirs });
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const { records } = await readRunEpisodes(summary.runDir);
    const steps = records.reduce((sum, record) => sum + record.steps.length, 0);
    const endpoint = summary.endpoints[0]!;
    const stages = (await readJournal(summary.runDir)).flatMap((entry) => (entry.event === 'episode-finished' ? [entry.stages] : []));
    const p50 = (pick: (stage: (typeof stages)[number]) => number) => percentile(stages.map(pick), 50);

    // Side by side, sequentially: a reset that takes a warm sandbox vs one that starts a container.
    const pool = new WarmPool({ perImage: 1 });
    const warmEnv = new LabgymEnv({ sandboxSource: pool });
    const warm: number[] = [];
    const cold: number[] = [];
    try {
      await warmEnv.reset({ task: task.envTask });
      for (let i = 0; i < params.resets; i++) {
        await sleep(1500); // the pool wipes the sandbox given back in the background; measure the reset, not the wipe
        warm.push((await warmEnv.reset({ task: task.envTask })).info.durationMs);
      }
      for (let i = 0; i < params.resets; i++) {
        const env = new LabgymEnv();
        try {
          cold.push((await env.reset({ task: task.envTask })).info.durationMs);
        } finally {
          await env.close();
        }
      }
    } finally {
      await warmEnv.close();
      await pool.close();
    }

    // Side by side, sequentially: an evaluation in a sandbox started ahead vs one that starts its own.
    const evaluationPool = new EvaluationPool({ perKey: 1 });
    const ahead: number[] = [];
    const own: number[] = [];
    const env = new LabgymEnv();
    try {
      await env.reset({ task: task.envTask });
      await env.step('python3 guess.py');
      const pooled = task.evaluator.withCreateSandbox(evaluationPool.create);
      evaluationPool.prepare(task.evaluator.sandboxParams());
      for (let i = 0; i < params.resets; i++) {
        await sleep(1500); // the spare taken by the last evaluation is replaced in the background
        ahead.push((await pooled.evaluate({ kind: 'validate', agentSandbox: env.currentSandbox! })).durationMs);
        own.push((await task.evaluator.evaluate({ kind: 'validate', agentSandbox: env.currentSandbox! })).durationMs);
      }
    } finally {
      await env.close();
      await evaluationPool.close();
    }

    const warmP50 = percentile(warm, 50);
    const coldP50 = percentile(cold, 50);
    return {
      agents: params.agents,
      slots: endpoint.slots,
      latencyMs: params.latencyMs,
      episodes: records.length,
      steps,
      wallSeconds: summary.wallMs / 1000,
      llmSlotUtilisation: endpoint.utilisation,
      llmSlotUtilisationSteady: endpoint.steadyUtilisation,
      modelRequests: endpoint.requests,
      hostCpuMsPerStep: (cpu.user + cpu.system) / 1000 / Math.max(steps, 1),
      hostRssMiBPerAgent: (peakRss - rssBefore) / 1024 ** 2 / params.agents,
      peakRssMiB: peakRss / 1024 ** 2,
      trajectoriesPerHour: summary.trajectoriesPerHour,
      stageP50Ms: {
        reset: p50((stage) => stage.resetMs),
        model: p50((stage) => stage.modelMs),
        commands: p50((stage) => stage.commandMs),
        evaluation: p50((stage) => stage.evaluationMs),
        total: p50((stage) => stage.totalMs),
      },
      runResetP50Ms: {
        warm: percentile(summary.resets.warmMs, 50),
        cold: percentile(summary.resets.coldMs, 50),
        warmSamples: summary.resets.warmMs.length,
        coldSamples: summary.resets.coldMs.length,
      },
      resetP50Ms: { warm: warmP50, cold: coldP50, coldToWarmRatio: coldP50 / warmP50, samples: params.resets },
      evaluationSandboxes: summary.evaluationSandboxes,
      evaluationP50Ms: {
        startedAhead: percentile(ahead, 50),
        own: percentile(own, 50),
        ownToAheadRatio: percentile(own, 50) / percentile(ahead, 50),
        samples: params.resets,
      },
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
