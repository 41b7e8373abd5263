/**
 * A Docker sandbox: one container holding two persistent shells, the agent's and a root control shell that kills
 * timed-out commands without forking. With a lifeline attach, Docker removes the container when its owner dies.
 */

import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { readAsset } from '../../assets.js';
import { InvalidArgumentError, SandboxUnavailableError } from '../../errors.js';
import type { CopyOwnership, ExecParams, ExecResult, FileEntry, OneShotResult, Sandbox, SandboxCreateParams } from '../sandbox.js';
import { ShellSession, type ShellTransport } from '../shell-session.js';
import { rootfsChanges } from './changes.js';
import { requireImage, statusCode } from './client.js';
import { containerOptions } from './container-options.js';
import { demuxDockerStream, STDERR } from './demux.js';
import { DockerFiles, gone } from './docker-files.js';

const DEFAULT_TIMEOUT_MS = 25_000;
const DEFAULT_OUTPUT_LIMIT = 100_000;
const CLOCK_TICK_MS = 10;

/** Attach a bash exec's stdin and (demultiplexed) output to a ShellTransport. */
async function openShell(container: Docker.Container, user: string, workdir: string, env: string[]) {
  const exec = await container.exec({
    Cmd: ['/bin/bash', '--noprofile', '--norc'],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: user,
    WorkingDir: workdir,
    Env: env,
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

export class DockerSandbox implements Sandbox {
  private closed = false;

  private readonly files: DockerFiles;

  private constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    private readonly shellUser: string,
    private readonly workdir: string,
    private readonly shellEnv: string[],
    private readonly control: ShellSession,
    private agent: ShellSession,
    private readonly lifeline: Duplex | undefined,
  ) {
    this.files = new DockerFiles(container, (argv, options) => this.run(argv, options));
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
      const control = await ShellSession.start(await openShell(container, 'root', '/', ['HOME=/root']));
      const defined = await control.exec(readAsset('sandbox/docker/kill.sh'), {
        timeoutMs: 15_000,
        outputLimitBytes: 4096,
        interrupt: async () => {},
      });
      if (defined.exitCode !== 0) throw new Error(`control shell setup failed: ${defined.output}`);
      const shellEnv = shellUser === 'root' ? ['HOME=/root', 'USER=root'] : [`HOME=/home/${shellUser}`, `USER=${shellUser}`];
      const agent = await ShellSession.start(await openShell(container, shellUser, workdir, shellEnv));
      return new DockerSandbox(container, params.image, shellUser, workdir, shellEnv, control, agent, line);
    } catch (error) {
      line?.destroy();
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  async exec(command: string, params: ExecParams = {}): Promise<ExecResult> {
    this.assertOpen();
    const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new InvalidArgumentError(`exec: timeoutMs must be positive, got ${timeoutMs}`);
    const agent = this.agent;
    const result = await agent.exec(command, {
      timeoutMs,
      idleTimeoutMs: params.idleTimeoutMs,
      outputLimitBytes: params.outputLimitBytes === undefined ? DEFAULT_OUTPUT_LIMIT : params.outputLimitBytes,
      interrupt: (elapsedMs) => this.interrupt(agent.pid, elapsedMs),
    });
    if (result.shellExited) await this.restartShell();
    return {
      output: result.output,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      shellRestarted: result.shellExited,
      droppedBytes: result.droppedBytes,
      durationMs: result.durationMs,
    };
  }

  /** Kill what the agent shell's current command started (see kill.sh). */
  private async interrupt(shellPid: number, elapsedMs: number): Promise<void> {
    const ageTicks = Math.ceil(elapsedMs / CLOCK_TICK_MS) + 1;
    const result = await this.control.exec(`__labgym_kill ${shellPid} ${ageTicks}`, {
      timeoutMs: 20_000,
      outputLimitBytes: 4096,
      interrupt: async () => {},
    });
    if (result.exitCode !== 0) throw new Error(`interrupt failed (${result.exitCode}): ${result.output}`);
  }

  async restartShell(): Promise<void> {
    this.assertOpen();
    this.agent.destroy();
    try {
      const state = await this.container.inspect();
      if (!state.State.Running) throw new Error(`container is ${state.State.Status}`);
      this.agent = await ShellSession.start(await openShell(this.container, this.shellUser, this.workdir, this.shellEnv));
    } catch (error) {
      throw gone(this.id, error);
    }
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
      throw gone(this.id, error);
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
    this.agent.destroy();
    this.control.destroy();
    await this.container.remove({ force: true }).catch((error: unknown) => {
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw gone(this.id, error);
    });
    this.lifeline?.destroy();
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxUnavailableError(`sandbox ${this.id.slice(0, 12)} is closed`);
  }
}
