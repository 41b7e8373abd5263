/**
 * A Docker sandbox: one container holding two persistent shells, the agent's and a root control shell that kills
 * timed-out commands without forking. With a lifeline attach, Docker removes the container when its owner dies.
 */

import { hostname } from 'node:os';
import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { readAsset } from '../../assets.js';
import { InvalidArgumentError, SandboxUnavailableError } from '../../errors.js';
import { AGENT, type Owner, packFiles, packHostPath, ROOT, unpackToDir, unpackToMap } from '../archive.js';
import { resolveLimits } from '../limits.js';
import type { CopyOwnership, ExecParams, ExecResult, FileEntry, OneShotResult, Sandbox, SandboxCreateParams } from '../sandbox.js';
import { ShellSession, type ShellTransport } from '../shell-session.js';
import { requireImage, statusCode } from './client.js';
import { demuxDockerStream, STDERR } from './demux.js';
import { LABELS } from './labels.js';

/** What the control shell keeps: enough to run the harness when the agent has spent every capability. */
const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETUID', 'SETGID'];
const DEFAULT_TIMEOUT_MS = 25_000;
const DEFAULT_OUTPUT_LIMIT = 100_000;
const CLOCK_TICK_MS = 10;

function gone(id: string, error: unknown): SandboxUnavailableError {
  return new SandboxUnavailableError(`sandbox ${id.slice(0, 12)} is not available: ${(error as Error).message ?? error}`, {
    cause: error,
  });
}

/**
 * The container a sandbox runs in, as Docker's create options: no network, limits, dropped capabilities, owner
 * labels and the GPUs by device id (exported so tests can inspect exactly what Docker receives).
 */
export function containerOptions(params: SandboxCreateParams, lifeline = true): Docker.ContainerCreateOptions {
  const limits = resolveLimits(params.limits);
  const env = Object.entries(params.env ?? {}).map(([key, value]) => `${key}=${value}`);
  const binds = Object.entries(params.readOnlyMounts ?? {}).map(([host, inside]) => `${host}:${inside}:ro`);
  return {
    Image: params.image,
    // With a lifeline, the main process waits on stdin, which closes when our attach does (StdinOnce).
    Cmd: lifeline ? ['/bin/sh', '-c', 'read -r _; exit 0'] : ['sleep', 'infinity'],
    OpenStdin: lifeline,
    StdinOnce: lifeline,
    AttachStdin: lifeline,
    User: 'root',
    Env: env,
    Labels: {
      ...params.labels,
      [LABELS.sandbox]: '1',
      [LABELS.ownerPid]: String(process.pid),
      [LABELS.ownerHost]: hostname(),
      [LABELS.createdAt]: new Date().toISOString(),
    },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      NanoCpus: Math.round(limits.cpus * 1e9),
      Memory: limits.memory,
      MemorySwap: limits.memory,
      PidsLimit: limits.pids,
      ShmSize: limits.shm,
      Init: true,
      AutoRemove: lifeline,
      CapDrop: ['ALL'],
      CapAdd: CAPABILITIES,
      SecurityOpt: ['no-new-privileges'],
      Binds: binds.length ? binds : undefined,
      DeviceRequests: params.gpus?.length ? [{ Driver: 'nvidia', DeviceIDs: [...params.gpus], Capabilities: [['gpu']] }] : undefined,
    },
  };
}

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

  private constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    private readonly shellUser: string,
    private readonly workdir: string,
    private readonly shellEnv: string[],
    private readonly control: ShellSession,
    private agent: ShellSession,
    private readonly lifeline: Duplex | undefined,
  ) {}

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
    await this.putArchive(destinationDir, ownership, (owner) => packFiles(files, owner));
  }

  async copyIn(hostPath: string, destinationDir: string, ownership: CopyOwnership = {}): Promise<void> {
    await this.putArchive(destinationDir, ownership, (owner) => packHostPath(hostPath, owner));
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer>> {
    this.assertOpen();
    const files = new Map<string, Buffer>();
    for (const path of paths) {
      try {
        const entries = await unpackToMap((await this.container.getArchive({ path })) as unknown as Readable);
        const name = path.split('/').filter(Boolean).pop()!;
        const content = entries.get(name);
        if (content !== undefined) files.set(path, content);
      } catch (error) {
        if (statusCode(error) === 404) continue;
        throw gone(this.id, error);
      }
    }
    return files;
  }

  async copyOut(sandboxPath: string, hostDir: string): Promise<void> {
    this.assertOpen();
    let stream: Readable;
    try {
      stream = (await this.container.getArchive({ path: sandboxPath })) as unknown as Readable;
    } catch (error) {
      throw gone(this.id, error);
    }
    await unpackToDir(stream, hostDir);
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

  /** Create `destinationDir` as the owner (so the agent can write into its own folders), then extract the archive there. */
  private async putArchive(destinationDir: string, ownership: CopyOwnership, pack: (owner: Owner) => Promise<Buffer>): Promise<void> {
    const user = ownership.owner ?? 'root';
    const made = await this.run(['mkdir', '-p', destinationDir], { user });
    if (made.exitCode !== 0) throw new InvalidArgumentError(`cannot create ${destinationDir} in the sandbox: ${made.stderr.trim()}`);
    const archive = await pack(user === 'agent' ? AGENT : ROOT);
    try {
      await this.container.putArchive(archive, { path: destinationDir });
    } catch (error) {
      throw gone(this.id, error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxUnavailableError(`sandbox ${this.id.slice(0, 12)} is closed`);
  }
}
