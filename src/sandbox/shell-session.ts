/**
 * One persistent bash process driven over a byte stream, output read until a marker with a fresh nonce. Only for
 * harness shells the agent cannot read (the root control shell); agent commands go through agent-shell.ts.
 */

import { randomBytes } from 'node:crypto';
import { CappedOutput } from './capped-output.js';

/** A bidirectional byte stream to a bash process whose stdout and stderr arrive on `onData`. */
export interface ShellTransport {
  write(data: string): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
  destroy(): void;
}

export interface ShellExecParams {
  readonly timeoutMs: number;
  readonly idleTimeoutMs?: number;
  readonly outputLimitBytes: number | null;
  /** Kill everything the running command started; `elapsedMs` says how long ago it began. */
  readonly interrupt: (elapsedMs: number) => Promise<void>;
  /** How long to wait for the shell to come back once the interrupt has run, before giving up on it. @unit ms @default 5000 */
  readonly interruptGraceMs?: number;
}

export interface ShellExecResult {
  readonly output: string;
  readonly exitCode: number;
  readonly timedOut: false | 'total' | 'idle';
  /** The shell process is gone (it exited, was killed, or could not be interrupted). */
  readonly shellExited: boolean;
  readonly droppedBytes: number;
  readonly durationMs: number;
}

const MARKER_PREFIX = '__LABGYM_DONE_';
/** Output that arrives between commands (from background jobs) is kept, up to this much, for the next one. */
const STRAY_OUTPUT_LIMIT = 64 * 1024;

/**
 * Quote any text as a bash ANSI-C string ($'...'), so a command reaches `eval` byte for byte whatever quotes,
 * newlines or heredocs it holds, without the shell parsing it early (an unbalanced quote cannot swallow the
 * marker line) and without forking a decoder.
 */
export function ansiCQuote(text: string): string {
  let out = "$'";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code === 0)
      continue; // bash strings cannot hold NUL
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

interface Pending {
  readonly marker: Buffer;
  readonly output: CappedOutput;
  readonly startedAt: number;
  hold: Buffer;
  timedOut: false | 'total' | 'idle';
  idleTimer?: NodeJS.Timeout;
  totalTimer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
  /** The running interrupt: the command is not finished until it is, or its kill rounds would hit the next one. */
  interrupting?: Promise<void>;
  /** Restart the no-output timer (set only when the command has one). */
  rearmIdle?: () => void;
  finish(exitCode: number, shellExited: boolean): void;
}

export class ShellSession {
  private pending: Pending | undefined;
  private stray = new CappedOutput(STRAY_OUTPUT_LIMIT);
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /**
   * Take over a freshly started bash: keep its output pipe on fd 9 and give every command stdout and stderr
   * on that one pipe (the terminal's order), re-applied per command so `exec >/dev/null` cannot hide the marker.
   */
  static async start(transport: ShellTransport): Promise<ShellSession> {
    const session = new ShellSession(transport);
    transport.write('exec 2>&1 9>&1\n');
    const probe = await session.exec('echo $$', { timeoutMs: 15_000, outputLimitBytes: 4096, interrupt: async () => {} });
    const pid = Number.parseInt(probe.output.trim(), 10);
    if (probe.exitCode !== 0 || !Number.isInteger(pid)) {
      transport.destroy();
      throw new Error(`the shell did not start: ${JSON.stringify(probe.output.slice(0, 200))}`);
    }
    session.pid = pid;
    return session;
  }

  /** The shell's process id inside the sandbox. */
  pid = 0;

  private constructor(private readonly transport: ShellTransport) {
    transport.onData((chunk) => this.receive(chunk));
    transport.onClose(() => {
      this.closed = true;
      this.pending?.finish(this.pending.timedOut ? 137 : -1, true);
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Run commands one after another; each waits for the previous one's marker. */
  exec(command: string, params: ShellExecParams): Promise<ShellExecResult> {
    const run = this.queue.then(() => this.execNow(command, params));
    this.queue = run.catch(() => undefined);
    return run;
  }

  destroy(): void {
    this.closed = true;
    this.transport.destroy();
  }

  private execNow(command: string, params: ShellExecParams): Promise<ShellExecResult> {
    if (this.closed) {
      return Promise.resolve({ output: '', exitCode: -1, timedOut: false, shellExited: true, droppedBytes: 0, durationMs: 0 });
    }
    const nonce = randomBytes(16).toString('hex');
    const output = new CappedOutput(params.outputLimitBytes);
    const startedAt = performance.now();
    return new Promise<ShellExecResult>((resolve) => {
      const pending: Pending = {
        marker: Buffer.from(`\n${MARKER_PREFIX}${nonce}_`),
        output,
        startedAt,
        hold: EMPTY,
        timedOut: false,
        finish: (exitCode, shellExited) => {
          if (this.pending !== pending) return;
          this.pending = undefined;
          clearTimeout(pending.idleTimer);
          clearTimeout(pending.totalTimer);
          clearTimeout(pending.graceTimer);
          if (shellExited) output.push(pending.hold);
          resolve({
            output: output.toString(),
            exitCode,
            timedOut: pending.timedOut,
            shellExited,
            droppedBytes: output.droppedBytes,
            durationMs: performance.now() - startedAt,
          });
        },
      };
      this.pending = pending;

      const expire = (kind: 'total' | 'idle') => {
        if (pending.timedOut || this.pending !== pending) return;
        pending.timedOut = kind;
        clearTimeout(pending.idleTimer);
        clearTimeout(pending.totalTimer);
        const giveUp = () => this.transport.destroy();
        pending.interrupting = params.interrupt(performance.now() - startedAt).then(() => {
          if (this.pending === pending) pending.graceTimer = setTimeout(giveUp, params.interruptGraceMs ?? 5000);
        }, giveUp);
      };
      pending.totalTimer = setTimeout(() => expire('total'), params.timeoutMs);
      if (params.idleTimeoutMs !== undefined) {
        const idleMs = params.idleTimeoutMs;
        const arm = () => {
          clearTimeout(pending.idleTimer);
          if (!pending.timedOut) pending.idleTimer = setTimeout(() => expire('idle'), idleMs);
        };
        arm();
        pending.rearmIdle = arm;
      }

      const stray = this.stray;
      this.stray = new CappedOutput(STRAY_OUTPUT_LIMIT);
      if (stray.totalBytes > 0) output.push(Buffer.from(stray.toString()));

      this.transport.write(`eval ${ansiCQuote(command)} </dev/null >&9 2>&9 9>&-; printf '\\n${MARKER_PREFIX}${nonce}_%d__\\n' "$?" >&9\n`);
    });
  }

  private receive(chunk: Buffer): void {
    const pending = this.pending;
    if (!pending) {
      this.stray.push(chunk);
      return;
    }
    pending.rearmIdle?.();
    const buffer = pending.hold.length ? Buffer.concat([pending.hold, chunk]) : chunk;
    const at = buffer.indexOf(pending.marker);
    if (at < 0) {
      // Hold back only a tail that could be the start of the marker; everything else is output.
      const keep = markerPrefixLength(buffer, pending.marker);
      pending.output.push(buffer.subarray(0, buffer.length - keep));
      pending.hold = keep ? Buffer.from(buffer.subarray(buffer.length - keep)) : EMPTY;
      return;
    }
    pending.output.push(buffer.subarray(0, at));
    const statusStart = at + pending.marker.length;
    const end = buffer.indexOf('__\n', statusStart);
    if (end < 0) {
      pending.hold = Buffer.from(buffer.subarray(at));
      return;
    }
    const rest = buffer.subarray(end + 3);
    if (rest.length) this.stray.push(rest);
    const exitCode = Number.parseInt(buffer.subarray(statusStart, end).toString('ascii'), 10);
    pending.hold = EMPTY;
    if (pending.interrupting) void pending.interrupting.then(() => pending.finish(exitCode, false));
    else pending.finish(exitCode, false);
  }
}

const EMPTY = Buffer.alloc(0);

/** Length of the longest tail of `buffer` that is a proper prefix of `marker` (0 almost always). */
function markerPrefixLength(buffer: Buffer, marker: Buffer): number {
  const from = Math.max(0, buffer.length - marker.length + 1);
  for (let start = buffer.indexOf(10, from); start >= 0; start = buffer.indexOf(10, start + 1)) {
    if (marker.subarray(0, buffer.length - start).equals(buffer.subarray(start))) return buffer.length - start;
  }
  return 0;
}
