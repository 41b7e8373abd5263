/**
 * Evaluation sandboxes started ahead of need: a few spares per set of create parameters, each handed out once and
 * removed by the evaluator after use (nothing is recycled, unlike the agents' WarmPool). Sandboxes with GPUs are not
 * pooled (their devices belong to one lease).
 */

import { createSandbox, type Sandbox, type SandboxCreateParams } from '../sandbox/index.js';

export interface EvaluationPoolOptions {
  /** Spare sandboxes per set of create parameters (in practice: per task). 0 = every evaluation starts its own. */
  readonly perKey: number;
  readonly create?: (params: SandboxCreateParams) => Promise<Sandbox>;
}

interface Spares {
  readonly params: SandboxCreateParams;
  readonly ready: Sandbox[];
  /** The background loop starting spares, while one runs. */
  filling?: Promise<void>;
}

/**
 * An evaluation must begin in a sandbox nobody has touched; a container started a little earlier, with exactly the
 * parameters the evaluator asks for, and never handed out is exactly that. Spares are topped up in the background
 * after each hand-out, so container starts happen while agents wait on their model rather than in the evaluation.
 */
export class EvaluationPool {
  private readonly keys = new Map<string, Spares>();
  private readonly make: (params: SandboxCreateParams) => Promise<Sandbox>;
  private closed = false;
  /** Sandboxes handed out, and how many of them were spares. */
  readonly counts = { total: 0, startedAhead: 0 };

  constructor(private readonly options: EvaluationPoolOptions) {
    this.make = options.create ?? createSandbox;
  }

  /** Spares started and not yet handed out. */
  get spareCount(): number {
    return [...this.keys.values()].reduce((sum, spares) => sum + spares.ready.length, 0);
  }

  /** A sandbox for one evaluation: a spare if one is ready, else a new one. Pass as the evaluator's createSandbox. */
  readonly create = async (params: SandboxCreateParams): Promise<Sandbox> => {
    this.counts.total += 1;
    const spares = this.sparesFor(params);
    const spare = spares?.ready.shift();
    if (spares) this.fill(spares);
    if (spare) this.counts.startedAhead += 1;
    return spare ?? this.make(params);
  };

  /** Start spares for sandboxes like `params` now, before the first evaluation asks for one. */
  prepare(params: SandboxCreateParams): void {
    const spares = this.sparesFor(params);
    if (spares) this.fill(spares);
  }

  /** Remove every spare (after a daemon restart they may be dead); later evaluations start new ones. */
  async flush(): Promise<void> {
    await Promise.all([...this.keys.values()].map((spares) => spares.filling));
    const ready = [...this.keys.values()].flatMap((spares) => spares.ready.splice(0));
    await Promise.all(ready.map((sandbox) => sandbox.close().catch(() => undefined)));
  }

  /** Remove every spare and pool no more. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private sparesFor(params: SandboxCreateParams): Spares | undefined {
    if (this.closed || this.options.perKey === 0 || params.gpus?.length) return undefined;
    const key = JSON.stringify(params);
    let spares = this.keys.get(key);
    if (!spares) this.keys.set(key, (spares = { params, ready: [] }));
    return spares;
  }

  /**
   * Start spares one at a time until the key has its share: a burst of evaluations is not met by a burst of
   * container starts competing with it.
   */
  private fill(spares: Spares): void {
    if (spares.filling || this.closed || spares.ready.length >= this.options.perKey) return;
    spares.filling = this.startSpares(spares).finally(() => (spares.filling = undefined));
  }

  private async startSpares(spares: Spares): Promise<void> {
    try {
      while (!this.closed && spares.ready.length < this.options.perKey) spares.ready.push(await this.make(spares.params));
    } catch {
      // Docker is failing (a daemon restart, say): evaluations start their own sandboxes, the next hand-out tries again.
    }
  }
}
