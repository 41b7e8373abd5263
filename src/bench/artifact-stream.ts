/**
 * `labgym bench artifact-stream`: how fast a submission of a given size goes through the evaluator's real path
 * (size check, one capped stream out of the agent's sandbox to a host file, that file into an evaluation sandbox),
 * beside Docker's bare archive read of the same file, and the host's peak RSS meanwhile (flat if nothing is buffered).
 */

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SandboxEvaluator } from '../eval/index.js';
import { sandboxBackend } from '../sandbox/index.js';

export interface ArtifactStreamBenchParams {
  readonly image: string;
  /** Size of the (sparse) artifact. @unit bytes @default 1 GiB */
  readonly bytes?: number;
}

export interface ArtifactStreamBenchResult {
  readonly bytes: number;
  /** readArchive into a sink that keeps nothing: Docker's archive read plus labgym's re-packing. */
  readonly readMBps: number;
  /** A whole evaluation of the artifact (stat, sandbox → host file → evaluation sandbox, command `true`). */
  readonly evaluationMBps: number;
  readonly evaluationSeconds: number;
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
}

const WORKSPACE = '/home/agent/workspace';
const MIB = 1024 ** 2;

/** The highest RSS seen while `run` runs, sampled every 20 ms. */
async function peakRss<T>(run: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await run();
    return { value, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

export async function benchArtifactStream(params: ArtifactStreamBenchParams): Promise<ArtifactStreamBenchResult> {
  const bytes = params.bytes ?? 1024 ** 3;
  const agent = await (await sandboxBackend()).create({ image: params.image });
  try {
    await agent.run(['truncate', '-s', String(bytes), `${WORKSPACE}/artifact.bin`]);
    const rssBefore = process.memoryUsage().rss;
    const { value: readSeconds, peak: readPeak } = await peakRss(async () => {
      const started = performance.now();
      const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
      await pipeline(await agent.readArchive([`${WORKSPACE}/artifact.bin`], { maxBytes: bytes + MIB }), sink);
      return (performance.now() - started) / 1000;
    });
    const evaluator = new SandboxEvaluator({
      image: params.image,
      artifacts: ['artifact.bin'],
      files: [],
      command: `python3 -c 'import json; print(json.dumps({"copied": 1}))'`,
      metricsFrom: 'stdout',
      primaryMetric: 'copied',
      direction: 'maximize',
      splits: { validate: 'test', final: 'test' },
      maxArtifactBytes: bytes,
    });
    const { value: record, peak: evaluationPeak } = await peakRss(() => evaluator.evaluate({ kind: 'validate', agentSandbox: agent }));
    if (record.score !== 1) throw new Error(`the benchmark's evaluation failed: ${record.failure?.message}`);
    const evaluationSeconds = record.durationMs / 1000;
    return {
      bytes,
      readMBps: bytes / 1e6 / readSeconds,
      evaluationMBps: bytes / 1e6 / evaluationSeconds,
      evaluationSeconds,
      rssBeforeMiB: rssBefore / MIB,
      peakRssMiB: Math.max(readPeak, evaluationPeak) / MIB,
    };
  } finally {
    await agent.close();
  }
}
