/**
 * One episode's window on the warm pool: it hands the env its sandboxes and remembers the one in use, so the
 * generator can time the acquisition, announce the sandbox, and close it on abort without reaching into the env.
 */

import type { EnvTask, SandboxSource } from '../env/index.js';
import type { Sandbox } from '../sandbox/index.js';
import type { WarmPool } from './warm-pool.js';

export class EpisodeSandboxes implements SandboxSource {
  private sandbox: Sandbox | undefined;
  private aborted = false;

  constructor(private readonly pool: WarmPool) {}

  /** The sandbox the episode holds now. */
  get current(): Sandbox | undefined {
    return this.sandbox;
  }

  /** How the current sandbox was got (warm from the pool or started), and how long it took. */
  get acquisition() {
    return this.sandbox ? this.pool.acquisitionOf(this.sandbox) : undefined;
  }

  async acquire(task: EnvTask): Promise<Sandbox> {
    const sandbox = await this.pool.acquire(task);
    this.sandbox = sandbox;
    if (this.aborted) await sandbox.close();
    return sandbox;
  }

  release(sandbox: Sandbox): Promise<void> {
    if (sandbox === this.sandbox) this.sandbox = undefined;
    return this.pool.release(sandbox);
  }

  /** End the episode now: its sandbox is closed, so whatever runs in it fails as unavailable. */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.sandbox?.close();
  }
}
