/**
 * The agent's "persistent shell" as one process per command (see command-wrapper.ts): a command ends when its process
 * has exited, with the exit code its launcher (outside the agent's user) got for it; nothing the agent prints forges either.
 */

import { randomBytes } from 'node:crypto';
import { CappedOutput } from './capped-output.js';
import { wrapCommand } from './command-wrapper.js';

/** A started command process, as the backend reports it. */
export interface CommandProcess {
  /** What the process wrote outside the output channel (only if it could not open it). */
  onData(listener: (chunk: Buffer) => void): void;
  /** The exit status, as its launcher got it from the kernel, once the process has exited. */
  readonly exited: Promise<number>;
  /** Stop watching the process. */
  release(): void;
}

export interface CommandLauncher {
  /** Start `argv` as the agent, feeding `stdin` when given (else stdin is empty). */
  launch(argv: readonly string[], stdin: string | undefined): Promise<CommandProcess>;
}

/**
 * Where every agent command writes (stdout and stderr, background jobs included), as one ordered byte stream that
 * outlives the commands, so a background job never writes into a closed pipe. The agent can write to it, not read it.
 */
export interface OutputChannel {
  /** The path commands redirect their output to. */
  readonly path: string;
  onData(listener: (chunk: Buffer) => void): void;
  /** Write `token` into the channel behind everything written so far. Only the harness can; the agent never sees it. */
  fence(token: string): Promise<void>;
}

export interface AgentExecParams {
  readonly timeoutMs: number;
  readonly idleTimeoutMs?: number;
  readonly outputLimitBytes: number | null;
  /** Kill everything the running command started; `elapsedMs` says how long ago it began, `exited` when it ended. */
  readonly interrupt: (elapsedMs: number, exited: Promise<unknown>) => Promise<void>;
  /** How long to wait for the process to end once the interrupt has run, before giving up on it. @unit ms @default 5000 */
  readonly interruptGraceMs?: number;
}

export interface AgentExecResult {
  readonly output: string;
  readonly exitCode: number;
  readonly timedOut: false | 'total' | 'idle';
  /** The command's process outlived the interrupt and was abandoned: the caller should start a fresh state. */
  readonly abandoned: boolean;
  readonly droppedBytes: number;
  readonly durationMs: number;
}

/** Output that arrives between commands (from background jobs) is kept, up to this much, for the next one. */
const LATE_OUTPUT_LIMIT = 64 * 1024;
const FENCE_TIMEOUT_MS = 10_000;

interface Fence {
  readonly token: Buffer;
  reached(): void;
}

export class AgentShell {
  private late = new CappedOutput(LATE_OUTPUT_LIMIT);
  /** Where output goes now: the running command's, or `late` between commands. */
  private sink: CappedOutput | undefined;
  private onOutput: (() => void) | undefined;
  private fence: Fence | undefined;
  /** The tail of the stream that might be the start of the fence token, held back until it is decided. */
  private hold: Buffer = Buffer.alloc(0);
  private queue: Promise<unknown> = Promise.resolve();

  /** @param stateDir the folder holding the shell state, owned by the agent. */
  constructor(
    private readonly launcher: CommandLauncher,
    private readonly channel: OutputChannel,
    public stateDir: string,
  ) {
    channel.onData((chunk) => this.receive(chunk));
  }

  /** Run commands one after another. Rejects only when the backend fails. */
  exec(command: string, params: AgentExecParams): Promise<AgentExecResult> {
    const run = this.queue.then(() => this.execNow(command, params));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forget output that background jobs of earlier commands left for the next one. */
  dropLateOutput(): void {
    this.late = new CappedOutput(LATE_OUTPUT_LIMIT);
  }

  private async execNow(command: string, params: AgentExecParams): Promise<AgentExecResult> {
    const startedAt = performance.now();
    const output = new CappedOutput(params.outputLimitBytes);
    if (this.late.totalBytes > 0) output.push(Buffer.from(this.late.toString()));
    this.dropLateOutput();
    this.sink = output;

    let timedOut: false | 'total' | 'idle' = false;
    const timers: NodeJS.Timeout[] = [];
    let idleTimer: NodeJS.Timeout | undefined;
    let abandon!: () => void;
    const abandoned = new Promise<'abandoned'>((resolve) => (abandon = () => resolve('abandoned')));
    let exited: Promise<number> = Promise.resolve(-1);
    /** The running interrupt: the command is not finished until it is, or its kill rounds would hit the next one. */
    let interrupting: Promise<void> | undefined;
    const expire = (kind: 'total' | 'idle') => {
      if (timedOut) return;
      timedOut = kind;
      clearTimeout(idleTimer);
      interrupting = params
        .interrupt(performance.now() - startedAt, exited)
        .then(() => void timers.push(setTimeout(abandon, params.interruptGraceMs ?? 5000)), abandon);
    };
    const armIdle = () => {
      clearTimeout(idleTimer);
      if (params.idleTimeoutMs !== undefined && !timedOut) idleTimer = setTimeout(() => expire('idle'), params.idleTimeoutMs);
    };

    try {
      const wrapped = wrapCommand(this.stateDir, this.channel.path, command);
      const process = await this.launcher.launch(wrapped.argv, wrapped.stdin);
      process.onData((chunk) => this.deliver(chunk));
      exited = process.exited;
      timers.push(setTimeout(() => expire('total'), Math.max(0, params.timeoutMs - (performance.now() - startedAt))));
      armIdle();
      this.onOutput = armIdle;
      const exit = await Promise.race([process.exited, abandoned]);
      this.onOutput = undefined;
      if (exit === 'abandoned') process.release();
      await interrupting;
      // Everything the command wrote before it exited is in the channel ahead of the fence.
      await this.fenceOutput();
      return {
        output: output.toString(),
        exitCode: exit === 'abandoned' ? 137 : exit,
        timedOut,
        abandoned: exit === 'abandoned',
        droppedBytes: output.droppedBytes,
        durationMs: performance.now() - startedAt,
      };
    } finally {
      this.sink = undefined;
      this.onOutput = undefined;
      clearTimeout(idleTimer);
      for (const timer of timers) clearTimeout(timer);
    }
  }

  private async fenceOutput(): Promise<void> {
    const token = Buffer.from(`[labgym fence ${randomBytes(16).toString('hex')}]`);
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<void>((resolve, reject) => {
      this.fence = { token, reached: resolve };
      timer = setTimeout(() => reject(new Error(`the output channel did not pass the fence within ${FENCE_TIMEOUT_MS} ms`)), FENCE_TIMEOUT_MS);
    });
    try {
      await Promise.all([this.channel.fence(token.toString()), reached]);
    } finally {
      clearTimeout(timer);
      this.fence = undefined;
      const held = this.hold;
      this.hold = Buffer.alloc(0);
      this.deliver(held);
    }
  }

  private receive(chunk: Buffer): void {
    const fence = this.fence;
    if (!fence) {
      this.deliver(chunk);
      return;
    }
    const buffer = this.hold.length ? Buffer.concat([this.hold, chunk]) : chunk;
    const at = buffer.indexOf(fence.token);
    if (at >= 0) {
      this.hold = Buffer.alloc(0);
      this.deliver(buffer.subarray(0, at));
      this.fence = undefined;
      this.sink = undefined;
      fence.reached();
      this.deliver(buffer.subarray(at + fence.token.length));
      return;
    }
    const keep = partialTokenLength(buffer, fence.token);
    this.deliver(buffer.subarray(0, buffer.length - keep));
    this.hold = Buffer.from(buffer.subarray(buffer.length - keep));
  }

  private deliver(bytes: Buffer): void {
    if (bytes.length === 0) return;
    (this.sink ?? this.late).push(bytes);
    this.onOutput?.();
  }
}

/** Length of the longest tail of `buffer` that is a proper prefix of `token` (0 almost always). */
function partialTokenLength(buffer: Buffer, token: Buffer): number {
  const from = Math.max(0, buffer.length - token.length + 1);
  for (let start = buffer.indexOf(token[0]!, from); start >= 0; start = buffer.indexOf(token[0]!, start + 1)) {
    if (token.subarray(0, buffer.length - start).equals(buffer.subarray(start))) return buffer.length - start;
  }
  return 0;
}
