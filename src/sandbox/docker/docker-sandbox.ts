/**
 * A Docker sandbox: one container, a root control shell that kills timed-out commands without forking, and the agent's
 * commands, each started by a root launcher shell as the agent, with their shell state in a file. With a lifeline
 * attach, Docker removes the container when its owner dies.
 */

import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { readAsset } from '../../assets.js';
import { InvalidArgumentError, SandboxUnavailableError } from '../../errors.js';
import { AgentShell, type OutputChannel } from '../agent-shell.js';
import type { CopyOwnership, ExecParams, ExecResult, FileEntry, OneShotResult, Sandbox, SandboxCreateParams } from '../sandbox.js';
import { ShellLauncher } from '../shell-launcher.js';
import { ansiCQuote, ShellSession, type ShellTransport } from '../shell-session.js';
import { rootfsChanges } from './changes.js';
import { requireImage, statusCode } from './client.js';
import { containerOptions } from './container-options.js';
import { demuxDockerStream, STDERR } from './demux.js';
import { DockerFiles, dockerError, gone } from './docker-files.js';
import { dockerOutputChannel } from './output-channel.js';

const DEFAULT_TIMEOUT_MS = 25_000;
const DEFAULT_OUTPUT_LIMIT = 100_000;
const CLOCK_TICK_MS = 10;
/** How long a timed-out command's own shell gets to finish once its children are killed. @unit ms */
const SHELL_EXIT_GRACE_MS = 500;
/** Root-owned; holds the output FIFO and one agent-owned state folder per shell generation (a restart starts the next). */
const STATE_ROOT = '/run/labgym/shell';
const OUTPUT_FIFO = `${STATE_ROOT}/output`;

/** Attach a root bash exec's stdin and (demultiplexed) output to a ShellTransport. */
async function openControlShell(container: Docker.Container) {
  const exec = await container.exec({
    Cmd: ['/bin/bash', '--noprofile', '--norc'],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: 'root',
    WorkingDir: '/',
    Env: ['HOME=/root'],
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const dataListeners: Array<(chunk: Buffer) => void> = [];
  demuxDockerStream(stream, (_type, payload) => {
    for (const listener of dataListeners) listener(payload);
  });
  const closeListeners: Array<() => void> = [];
  let closed = false;
  const onClose = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  stream.on('end', onClose);
  stream.on('close', onClose);
  stream.on('error', onClose);
  const transport: ShellTransport = {
    write: (data) => {
      if (!closed) stream.write(data);
    },
    onData: (listener) => dataListeners.push(listener),
    onClose: (listener) => closeListeners.push(listener),
    destroy: () => {
      stream.destroy();
      onClose();
    },
  };
  return transport;
}

/** Run harness shell code in the root control shell; throws when it fails. */
async function controlCommand(control: ShellSession, command: string): Promise<string> {
  const result = await control.exec(command, { timeoutMs: 20_000, outputLimitBytes: 4096, interrupt: async () => {} });
  if (result.exitCode !== 0) throw new Error(`control shell: ${command.split('\n')[0]} failed (${result.exitCode}): ${result.output}`);
  return result.output;
}

export class DockerSandbox implements Sandbox {
  private closed = false;

  private readonly files: DockerFiles;
  private readonly agent: AgentShell;
  private readonly launcher: ShellLauncher;
  private generation = 0;

  private constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    private readonly shellUser: string,
    workdir: string,
    private readonly control: ShellSession,
    private readonly output: OutputChannel & { close(): void },
    private readonly agentIds: { readonly uid: string; readonly gid: string },
    private readonly lifeline: Duplex | undefined,
  ) {
    this.files = new DockerFiles(container, (argv, options) => this.run(argv, options));
    const env = shellUser === 'root' ? ['HOME=/root', 'USER=root'] : [`HOME=/home/${shellUser}`, `USER=${shellUser}`];
    this.launcher = new ShellLauncher({
      open: async () => ShellSession.start(await openControlShell(container)),
      user: shellUser === 'root' ? undefined : agentIds,
      workdir,
      env,
    });
    this.agent = new AgentShell(this.launcher, output, '');
  }

  get id(): string {
    return this.container.id;
  }

  static async create(docker: Docker, params: SandboxCreateParams, lifeline = true): Promise<DockerSandbox> {
    await requireImage(params.image, docker);
    const shellUser = params.shellUser ?? 'agent';
    const workdir = params.workdir ?? '/home/agent/workspace';
    const container = await docker.createContainer(containerOptions(params, lifeline));
    let line: Duplex | undefined;
    try {
      if (lifeline) {
        line = (await container.attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true })) as Duplex;
        line.on('error', () => {});
        (line as Duplex & { unref?: () => void }).unref?.();
      }
      await container.start();
      const control = await ShellSession.start(await openControlShell(container));
      // A kill must not wait for the CPU behind the processes it kills.
      await controlCommand(control, `${readAsset('sandbox/docker/kill.sh')}\nrenice -n -15 -p $$ >/dev/null`);
      const ids = await controlCommand(
        control,
        `mkdir -p -m 755 ${STATE_ROOT} && mkfifo -m 622 ${OUTPUT_FIFO} && id -u ${ansiCQuote(shellUser)} && id -g ${ansiCQuote(shellUser)}`,
      );
      const [uid = '', gid = ''] = ids.trim().split(/\s+/);
      const output = await dockerOutputChannel(container, OUTPUT_FIFO, async (token) => {
        await controlCommand(control, `printf '%s' ${ansiCQuote(token)} >> ${OUTPUT_FIFO}`);
      });
      const sandbox = new DockerSandbox(container, params.image, shellUser, workdir, control, output, { uid, gid }, line);
      await sandbox.newShellState();
      return sandbox;
    } catch (error) {
      line?.destroy();
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw error;
    }
  }

  async exec(command: string, params: ExecParams = {}): Promise<ExecResult> {
    this.assertOpen();
    const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new InvalidArgumentError(`exec: timeoutMs must be positive, got ${timeoutMs}`);
    const result = await this.agent
      .exec(command, {
        timeoutMs,
        idleTimeoutMs: params.idleTimeoutMs,
        outputLimitBytes: params.outputLimitBytes === undefined ? DEFAULT_OUTPUT_LIMIT : params.outputLimitBytes,
        interrupt: (elapsedMs, exited) => this.interrupt(elapsedMs, exited),
      })
      .catch(async (error: unknown) => {
        throw (await this.isRunning()) ? dockerError(this.id, error) : gone(this.id, error);
      });
    if (result.abandoned) await this.restartShell();
    return {
      output: result.output,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      shellRestarted: result.abandoned,
      droppedBytes: result.droppedBytes,
      durationMs: result.durationMs,
    };
  }

  /**
   * Kill what the running agent command started (see kill.sh): first all but its own shell, which then reports the
   * kill as a terminal would ("Killed  sleep 100") and saves its state; then, a moment later, whatever is left.
   */
  private async interrupt(elapsedMs: number, exited: Promise<unknown>): Promise<void> {
    const startedAt = performance.now() - elapsedMs;
    const ageTicks = () => Math.ceil((performance.now() - startedAt) / CLOCK_TICK_MS) + 1;
    const launcher = (await this.launcher.shellPid()) ?? '';
    await controlCommand(this.control, `__labgym_kill ${this.agentIds.uid} ${ageTicks()} ${launcher}`);
    const ended = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(resolve, SHELL_EXIT_GRACE_MS, false))]);
    if (!ended) await controlCommand(this.control, `__labgym_kill ${this.agentIds.uid} ${ageTicks()}`);
  }

  /** Point the agent's commands at a new, empty state folder that root made and the agent owns; drop the old one. */
  private async newShellState(): Promise<void> {
    const old = `${STATE_ROOT}/${this.generation}`;
    const next = `${STATE_ROOT}/${++this.generation}`;
    await controlCommand(this.control, `rm -rf -- ${old} && install -d -o ${ansiCQuote(this.shellUser)} -m 700 -- ${next}`);
    this.agent.dropLateOutput();
    this.agent.stateDir = next;
  }

  /**
   * Whether the container still runs, a second after a command failed (Docker records a killed container's exit a
   * moment after its shells' streams end): if not, the failure is an outage, not the agent's doing.
   */
  private async isRunning(): Promise<boolean> {
    for (let check = 0; check < 5; check++) {
      if (check > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      const running = await this.container.inspect().then(
        (state) => state.State.Running,
        () => false,
      );
      if (!running) return false;
    }
    return true;
  }

  async restartShell(): Promise<void> {
    this.assertOpen();
    try {
      const state = await this.container.inspect();
      if (!state.State.Running) throw new Error(`container is ${state.State.Status}`);
    } catch (error) {
      throw gone(this.id, error);
    }
    // The container runs: a failure here is the sandbox's own state (what the agent did to it), not an outage to retry.
    await this.newShellState();
  }

  async run(argv: readonly string[], options: { user?: 'root' | 'agent'; stdin?: string; timeoutMs?: number } = {}): Promise<OneShotResult> {
    this.assertOpen();
    const cmd = options.timeoutMs ? ['timeout', '-s', 'KILL', String(Math.ceil(options.timeoutMs / 1000)), ...argv] : [...argv];
    try {
      const exec = await this.container.exec({
        Cmd: cmd,
        AttachStdin: options.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        User: options.user ?? 'root',
      });
      const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined })) as Duplex;
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      demuxDockerStream(stream, (type, payload) => (type === STDERR ? stderr : stdout).push(Buffer.from(payload)));
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      if (options.stdin !== undefined) stream.end(options.stdin);
      await ended;
      let info = await exec.inspect();
      while (info.Running) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        info = await exec.inspect();
      }
      return {
        exitCode: info.ExitCode ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
    } catch (error) {
      throw dockerError(this.id, error);
    }
  }

  async writeFiles(destinationDir: string, files: readonly FileEntry[], ownership: CopyOwnership = {}): Promise<void> {
    this.assertOpen();
    await this.files.writeFiles(destinationDir, files, ownership);
  }

  async copyIn(hostPath: string, destinationDir: string, ownership: CopyOwnership = {}): Promise<void> {
    this.assertOpen();
    await this.files.copyIn(hostPath, destinationDir, ownership);
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer>> {
    this.assertOpen();
    return this.files.readFiles(paths);
  }

  async copyOut(sandboxPath: string, hostDir: string): Promise<void> {
    this.assertOpen();
    await this.files.copyOut(sandboxPath, hostDir);
  }

  async readArchive(paths: readonly string[], options: { readonly maxBytes: number }): Promise<Readable> {
    this.assertOpen();
    return this.files.readArchive(paths, options);
  }

  async writeArchive(destinationDir: string, archive: Readable, ownership: CopyOwnership = {}): Promise<void> {
    this.assertOpen();
    await this.files.writeArchive(destinationDir, archive, ownership);
  }

  async rootfsChanges(): Promise<string[]> {
    this.assertOpen();
    return rootfsChanges(this.container);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.output.close();
    this.control.destroy();
    this.launcher.close();
    await this.container.remove({ force: true, v: true }).catch((error: unknown) => {
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw gone(this.id, error);
    });
    this.lifeline?.destroy();
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxUnavailableError(`sandbox ${this.id.slice(0, 12)} is closed`);
  }
}
