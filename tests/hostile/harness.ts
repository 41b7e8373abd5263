/**
 * Hostile episodes: scripted agents driven through LabgymEnv on a WarmPool of one sandbox per task, arranged so
 * that each episode gets the container the previous one used (recycled and wiped by the pool).
 */

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabgymEnv, type StepResult } from '../../src/env/index.js';
import { WarmPool } from '../../src/generate/warm-pool.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../../src/sandbox/index.js';
import type { ResolvedTask } from '../../src/tasks/index.js';

export interface EpisodeResult {
  readonly sandboxId: string;
  /** The episode ran in the sandbox the previous episode used (false: the pool replaced it, or there was none). */
  readonly recycled: boolean;
  /** One result per scripted action, in order. */
  readonly steps: StepResult[];
  /** The submit step; absent when the episode was left without submitting. */
  readonly final?: StepResult;
  /** Both splits' scores of the final submission (validation from the record's other split). */
  readonly scores: { readonly validation?: number; readonly test?: number };
}

export interface EpisodeParams {
  /** End with `submit` (scored on both splits), or leave the episode open for the next reset. @default true */
  readonly submit?: boolean;
  /** Fail unless the episode gets the previous episode's sandbox back. @default true when there was one */
  readonly expectRecycled?: boolean;
}

/** A LabgymEnv whose sandboxes come from a WarmPool keeping one spare per task. */
export class HostileBench {
  readonly pool: WarmPool;
  readonly env: LabgymEnv;
  private creating = 0;

  constructor(options: { shortTimeoutMs?: number } = {}) {
    const create = async (params: SandboxCreateParams): Promise<Sandbox> => {
      this.creating += 1;
      try {
        return await createSandbox(params);
      } finally {
        // Let the pool record the new sandbox as its own before it stops counting as "being created".
        await new Promise((resolve) => setImmediate(resolve));
        this.creating -= 1;
      }
    };
    this.pool = new WarmPool({ perImage: 1, create });
    this.env = new LabgymEnv({ maxSteps: 60, shortTimeoutMs: options.shortTimeoutMs ?? 20_000, sandboxSource: this.pool });
  }

  /**
   * Run one episode. The pool's spare is dropped first, so the reset waits for the sandbox the previous episode
   * used, which the pool wipes and refills: the episode really runs in the recycled container.
   */
  async episode(task: ResolvedTask, actions: readonly string[], params: EpisodeParams = {}): Promise<EpisodeResult> {
    const previous = this.env.currentSandbox?.id;
    await this.dropSpares();
    const reset = await this.env.reset({ task: task.envTask, seed: 0 });
    const recycled = reset.info.sandboxId === previous;
    if (previous && params.expectRecycled !== false) assert.ok(recycled, "the pool hands the previous episode's sandbox back (did its wipe fail?)");
    const steps: StepResult[] = [];
    for (const action of actions) steps.push(await this.env.step(action));
    if (params.submit === false) return { sandboxId: reset.info.sandboxId, recycled, steps, scores: {} };
    const final = await this.env.step('submit');
    assert.equal(final.terminated, true);
    const evaluation = final.info.evaluation;
    return {
      sandboxId: reset.info.sandboxId,
      recycled,
      steps,
      final,
      scores: { validation: evaluation?.otherSplit?.score, test: evaluation?.score },
    };
  }

  async close(): Promise<void> {
    await this.env.close();
    await this.pool.close();
  }

  /** Close every idle spare and wait until none is being made: the pool then holds only the env's sandbox. */
  private async dropSpares(): Promise<void> {
    const inUse = this.env.currentSandbox ? 1 : 0;
    for (;;) {
      await this.pool.flush();
      if (this.creating === 0 && this.pool.liveCount <= inUse) return;
      await sleep(100);
    }
  }
}

/**
 * Names of everything an episode could leave behind outside its workspace, with checksums: files in the home
 * folder, /tmp, /var/tmp and /dev/shm, SysV shared memory segments, and processes whose command line says HOSTILE.
 * An honest episode prints the same in a fresh sandbox and in a recycled one.
 */
export const LEFTOVERS_PROBE = [
  `find ~ /tmp /var/tmp /dev/shm -path "$HOME/workspace" -prune -o -type f -print0 2>/dev/null | xargs -0r md5sum | sort`,
  `echo "shm segments: $(ipcs -m | grep -c '^0x')"`,
  `echo "hostile processes: $(pgrep -c -f 'HOSTIL[E]')"`,
].join('; ');

/** Bash single-quoted text (for putting scripts into actions). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Resident memory of this process sampled every 20 ms while `work` runs; resolves to work's value and the peak. */
export async function withPeakRss<T>(work: Promise<T>): Promise<{ value: T; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await work;
    return { value, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}
