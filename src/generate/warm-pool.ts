/**
 * The warm pool: clean sandboxes kept ready per image (and limits and environment), so a reset takes one
 * instead of waiting for a container start. A sandbox an env gives back is wiped in the background (the same
 * wipeSandbox LabgymEnv uses) and kept, or closed when the pool is full or the wipe fails. Bounded: at most
 * `perImage` spare sandboxes per key, idle or being made. Sandboxes with GPUs are never pooled. close()
 * removes everything the pool made.
 */

import { aci, wipeSandbox, type SandboxSource } from '../env/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../sandbox/index.js';

export interface WarmPoolOptions {
  /** Spare clean sandboxes per key. 0 = no pool: every acquire starts a container. */
  readonly perImage: number;
  readonly aci?: Partial<aci.AciOptions>;
  readonly create?: (params: SandboxCreateParams) => Promise<Sandbox>;
}

export interface Acquisition {
  /** Taken ready from the pool (no container start waited for). */
  readonly warm: boolean;
  readonly ms: number;
}

interface Bucket {
  readonly idle: Sandbox[];
  /** Spare sandboxes being created or wiped. */
  preparing: number;
}

const keyOf = (params: SandboxCreateParams) => JSON.stringify([params.image, params.limits ?? {}, params.env ?? {}]);

export class WarmPool implements SandboxSource {
  private readonly buckets = new Map<string, Bucket>();
  private readonly made = new Set<Sandbox>();
  private readonly background = new Set<Promise<void>>();
  private readonly acquisitions = new WeakMap<Sandbox, Acquisition>();
  private readonly owner = new WeakMap<Sandbox, Bucket>();
  private closed = false;
  private readonly create: (params: SandboxCreateParams) => Promise<Sandbox>;

  constructor(private readonly options: WarmPoolOptions) {
    this.create = options.create ?? createSandbox;
  }

  /** How the sandbox was got (for the per-episode timings). */
  acquisitionOf(sandbox: Sandbox): Acquisition | undefined {
    return this.acquisitions.get(sandbox);
  }

  /** Spare sandboxes ready now, over every key. */
  get idleCount(): number {
    return [...this.buckets.values()].reduce((sum, bucket) => sum + bucket.idle.length, 0);
  }

  /** Sandboxes made and not yet closed (in use, idle or being wiped). */
  get liveCount(): number {
    return this.made.size;
  }

  async acquire(params: SandboxCreateParams): Promise<Sandbox> {
    const started = performance.now();
    const pooled = !params.gpus?.length && this.options.perImage > 0;
    const bucket = this.bucket(params);
    const ready = pooled ? bucket.idle.pop() : undefined;
    if (pooled) this.refill(params);
    const sandbox = ready ?? (await this.fresh(params));
    this.acquisitions.set(sandbox, { warm: ready !== undefined, ms: performance.now() - started });
    return sandbox;
  }

  /** Take a sandbox back: wiped in the background and kept if there is room, else closed. Returns at once. */
  release(sandbox: Sandbox): Promise<void> {
    const bucket = this.owner.get(sandbox);
    if (this.closed || !bucket || !this.made.has(sandbox) || bucket.idle.length + bucket.preparing >= this.options.perImage) {
      this.track(this.dispose(sandbox));
      return Promise.resolve();
    }
    bucket.preparing += 1;
    this.track(
      wipeSandbox(sandbox).then(
        () => this.keep(bucket, sandbox),
        () => this.dispose(sandbox),
      ).finally(() => {
        bucket.preparing -= 1;
      }),
    );
    return Promise.resolve();
  }

  /** Drop every idle sandbox (after a daemon restart they may all be dead); new ones are made on demand. */
  async flush(): Promise<void> {
    const idle = [...this.buckets.values()].flatMap((bucket) => bucket.idle.splice(0));
    await Promise.all(idle.map((sandbox) => this.dispose(sandbox)));
  }

  /** Wait for background work, then remove every sandbox the pool made. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.background.size) await Promise.allSettled([...this.background]);
    await Promise.allSettled([...this.made].map((sandbox) => this.dispose(sandbox)));
  }

  private bucket(params: SandboxCreateParams): Bucket {
    const key = keyOf(params);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { idle: [], preparing: 0 }));
    return bucket;
  }

  /** A new sandbox with the ACI installed: what a clean pooled one looks like. */
  private async fresh(params: SandboxCreateParams): Promise<Sandbox> {
    const sandbox = await this.create(params);
    this.made.add(sandbox);
    if (!params.gpus?.length) this.owner.set(sandbox, this.bucket(params));
    try {
      await aci.installAci(sandbox, this.options.aci);
    } catch (error) {
      await this.dispose(sandbox);
      throw error;
    }
    return sandbox;
  }

  /** Start spare sandboxes until the bucket has its share. */
  private refill(params: SandboxCreateParams): void {
    const bucket = this.bucket(params);
    while (!this.closed && bucket.idle.length + bucket.preparing < this.options.perImage) {
      bucket.preparing += 1;
      this.track(
        this.fresh(params)
          .then((sandbox) => this.keep(bucket, sandbox))
          .catch(() => undefined)
          .finally(() => {
            bucket.preparing -= 1;
          }),
      );
    }
  }

  private async keep(bucket: Bucket, sandbox: Sandbox): Promise<void> {
    if (this.closed || bucket.idle.length >= this.options.perImage) return this.dispose(sandbox);
    bucket.idle.push(sandbox);
  }

  private async dispose(sandbox: Sandbox): Promise<void> {
    this.made.delete(sandbox);
    await sandbox.close().catch(() => undefined);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}
