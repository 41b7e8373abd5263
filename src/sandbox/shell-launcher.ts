/**
 * Starts agent commands from a root shell (a helper outside the agent's user): `setpriv` drops to the agent, and the
 * exit status is the one root's bash gets from the kernel. A few ms per command, where a runtime exec costs ~150 ms.
 */

import type { CommandLauncher, CommandProcess } from './agent-shell.js';
import { ansiCQuote, type ShellSession } from './shell-session.js';

/** Longest a launch may wait for its command (the agent shell's own timeouts end it first). @unit ms */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

export interface ShellLauncherOptions {
  /** Open a fresh root shell (one runs each command; a command that outlives its kill takes its shell with it). */
  readonly open: () => Promise<ShellSession>;
  /** `uid:gid` to run commands as, or undefined to run them as root. */
  readonly user?: { readonly uid: string; readonly gid: string };
  readonly workdir: string;
  readonly env: readonly string[];
}

export class ShellLauncher implements CommandLauncher {
  private shell: Promise<ShellSession> | undefined;

  constructor(private readonly options: ShellLauncherOptions) {}

  async launch(argv: readonly string[], stdin: string | undefined): Promise<CommandProcess> {
    const { user, workdir, env } = this.options;
    // A shell that failed to open (a full process table, say) is not kept: the next launch tries again.
    this.shell ??= this.options.open().catch((error: unknown) => {
      this.shell = undefined;
      throw error;
    });
    const opened = this.shell;
    const shell = await opened;
    const drop = user ? `setpriv --reuid=${user.uid} --regid=${user.gid} --init-groups --inh-caps=-all ` : '';
    const input = stdin === undefined ? '' : `printf '%s' ${ansiCQuote(stdin)} | `;
    const line = `cd -- ${ansiCQuote(workdir)} 2>/dev/null || cd /; ${input}env ${env.map(ansiCQuote).join(' ')} ${drop}${argv.map(ansiCQuote).join(' ')}`;
    const listeners: Array<(chunk: Buffer) => void> = [];
    const run = shell.exec(line, { timeoutMs: NO_TIMEOUT_MS, outputLimitBytes: 64 * 1024, interrupt: async () => {} });
    let done = false;
    const exited = run.then((result) => {
      done = true;
      const output = withoutJobNotices(result.output);
      if (output) for (const listener of listeners) listener(Buffer.from(output));
      // The root shell itself is gone (the container, most likely): the next launch opens another, or fails to.
      if (result.shellExited && this.shell === opened) this.shell = undefined;
      return result.shellExited ? -1 : result.exitCode;
    });
    return {
      onData: (listener) => listeners.push(listener),
      exited,
      release: () => {
        // A command still running after its kill keeps this shell busy: give it up, the next launch opens another.
        if (done || this.shell !== opened) return;
        this.shell = undefined;
        shell.destroy();
      },
    };
  }

  /** The root shell's pid, if one is open: the command it runs is its child. */
  async shellPid(): Promise<number | undefined> {
    return this.shell?.then(
      (shell) => shell.pid,
      () => undefined,
    );
  }

  close(): void {
    void this.shell?.then(
      (shell) => shell.destroy(),
      () => undefined,
    );
    this.shell = undefined;
  }
}

/** How the launcher's bash reports a job that a signal ended: "bash: line 3:  85 Killed    env 'HOME=…' …". */
const JOB_NOTICE = /^(?:\/bin\/)?bash: line \d+: +\d+ [^\n]*? env '[^\n]*\n?/gm;

/** The launcher's own job reports quote the launch line: they are not the command's output. */
function withoutJobNotices(output: string): string {
  return output.replace(JOB_NOTICE, '');
}
