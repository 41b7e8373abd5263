/**
 * The warm pool: sandboxes kept ready per image (per task: its image, limits, environment and starting files), with
 * the ACI installed and the workspace filled, so a reset neither waits for a container start nor copies files.
 * Bounded: at most `perImage` idle sandboxes per key; GPU sandboxes are never pooled (one lease owns their devices).
 */

import { aci, type EnvTask, fillWorkspace, type SandboxSource, wipeSandbox } from '../env/index.js';
import { createSandbox, type Sandbox, type SandboxCreateParams } from '../sandbox/index.js';

export interface WarmPoolOptions {
  /** Spare ready sandboxes per image. 0 = no pool: every acquire starts a container. */
  readonly perImage: number;
  readonly aci?: Partial<aci.AciOptions>;
  readonly create?: (params: SandboxCreateParams) => Promise<Sandbox>;
}

export interface Acquisition {
  /** Taken from the pool (ready, or handed over when its wipe and refill finished) instead of starting its own container. */
  readonly warm: boolean;
  readonly ms: number;
  /** For a warm one: how long its proven reset took (wipeSandbox), before it was refilled. */
  readonly resetMs?: number;
}

interface Bucket {
  readonly task: EnvTask;
  readonly idle: Sandbox[];
  /** Spare sandboxes being created or wiped and refilled. */
  preparing: number;
  /** Acquires waiting for one of those (cheaper than a container start); null = none came, start one. */
  readonly waiting: Array<(sandbox: Sandbox | null) => void>;
}

const keyOf = (task: EnvTask) => JSON.stringify([task.image, task.limits ?? {}, task.env ?? {}, task.id, task.workspace, task.links ?? {}]);

export class WarmPool implements SandboxSource {
  private readonly buckets = new Map<string, Bucket>();
  private readonly owner = new WeakMap<Sandbox, Bucket>();
  private readonly made = new Set<Sandbox>();
  private readonly background = new Set<Promise<void>>();
  private readonly acquisitions = new WeakMap<Sandbox, Acquisition>();
  private readonly resetMs = new WeakMap<Sandbox, number>();
  private closed = false;
  private readonly create: (params: SandboxCreateParams) => Promise<Sandbox>;

  constructor(private readonly options: WarmPoolOptions) {
    this.create = options.create ?? createSandbox;
  }

  /** How the sandbox was got (for the per-episode timings). */
  acquisitionOf(sandbox: Sandbox): Acquisition | undefined {
    return this.acquisitions.get(sandbox);
  }

  /** Spare sandboxes ready now. */
  get idleCount(): number {
    return [...this.buckets.values()].reduce((sum, bucket) => sum + bucket.idle.length, 0);
  }

  /** Sandboxes made and not yet closed (in use, idle or being prepared). */
  get liveCount(): number {
    return this.made.size;
  }

  /**
   * A ready sandbox; with none ready, wait for one being recycled, and start a container only when none is. Spares are
   * topped up to `perImage`, counting those being recycled, so a steady run starts no containers.
   */
  async acquire(task: EnvTask): Promise<Sandbox> {
    const started = performance.now();
    const pooled = !task.gpus?.length && this.options.perImage > 0;
    const bucket = pooled ? this.bucket(task) : undefined;
    let ready = bucket?.idle.pop();
    // A sandbox being wiped and refilled is ready sooner than a container start: wait for it.
    if (!ready && bucket && bucket.preparing > bucket.waiting.length)
      ready = (await new Promise<Sandbox | null>((resolve) => bucket.waiting.push(resolve))) ?? undefined;
    // Keep the spares topped up; sandboxes being recycled count, so steady state starts no containers.
    if (bucket) this.refill(bucket);
    const sandbox = ready ?? (await this.fresh(task, bucket));
    this.acquisitions.set(sandbox, { warm: ready !== undefined, ms: performance.now() - started, resetMs: ready ? this.resetMs.get(ready) : undefined });
    return sandbox;
  }

  /**
   * Take a sandbox back: reset and refilled in the background (wipeSandbox and fillWorkspace, the same code
   * LabgymEnv uses), then handed to a waiting acquire or kept if there is room, else closed. A reset that cannot
   * prove the sandbox clean closes it too: it is never handed out again. Returns at once.
   */
  release(sandbox: Sandbox): Promise<void> {
    const bucket = this.owner.get(sandbox);
    if (this.closed || !bucket || !this.made.has(sandbox) || this.options.perImage === 0) {
      this.track(this.dispose(sandbox));
      return Promise.resolve();
    }
    bucket.preparing += 1;
    this.track(
      wipeSandbox(sandbox)
        .then((wiped) => {
          this.resetMs.set(sandbox, wiped.durationMs);
          return fillWorkspace(sandbox, bucket.task);
        })
        .then(
          () => this.keep(bucket, sandbox),
          () => this.dispose(sandbox),
        )
        .finally(() => this.prepared(bucket)),
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
    for (const bucket of this.buckets.values()) for (const waiter of bucket.waiting.splice(0)) waiter(null);
    while (this.background.size) await Promise.allSettled([...this.background]);
    await Promise.allSettled([...this.made].map((sandbox) => this.dispose(sandbox)));
  }

  private bucket(task: EnvTask): Bucket {
    const key = keyOf(task);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { task, idle: [], preparing: 0, waiting: [] }));
    return bucket;
  }

  /** A new sandbox ready for `task`: container started, workspace filled, ACI installed. */
  private async fresh(task: EnvTask, bucket: Bucket | undefined): Promise<Sandbox> {
    const sandbox = await this.create({ image: task.image, limits: task.limits, gpus: task.gpus, env: task.env });
    this.made.add(sandbox);
    if (bucket) this.owner.set(sandbox, bucket);
    try {
      await fillWorkspace(sandbox, task);
      await aci.installAci(sandbox, this.options.aci);
    } catch (error) {
      await this.dispose(sandbox);
      throw error;
    }
    return sandbox;
  }

  /** Prepare spare sandboxes until the bucket has its share. */
  private refill(bucket: Bucket): void {
    while (!this.closed && bucket.idle.length + bucket.preparing < this.options.perImage) {
      bucket.preparing += 1;
      this.track(
        this.fresh(bucket.task, bucket)
          .then((sandbox) => this.keep(bucket, sandbox))
          .catch(() => undefined)
          .finally(() => this.prepared(bucket)),
      );
    }
  }

  private async keep(bucket: Bucket, sandbox: Sandbox): Promise<void> {
    const waiter = bucket.waiting.shift();
    if (waiter) return waiter(sandbox);
    if (this.closed || bucket.idle.length >= this.options.perImage) return this.dispose(sandbox);
    bucket.idle.push(sandbox);
  }

  /** One spare is done (kept, handed over or failed): waiters that no spare will serve start their own. */
  private prepared(bucket: Bucket): void {
    bucket.preparing -= 1;
    while (bucket.waiting.length > bucket.preparing) bucket.waiting.pop()!(null);
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
