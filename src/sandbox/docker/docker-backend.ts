/** The Docker backend: creates DockerSandboxes, removes those whose owner is gone, and builds and inspects images. */

import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { SandboxUnavailableError } from '../../errors.js';
import type { BareOperations, ImageBuildParams, ImageBuildResult, Sandbox, SandboxBackend, SandboxCreateParams } from '../sandbox.js';
import { bareDockerOperations } from './bare-operations.js';
import { dockerClient, pingDocker, statusCode } from './client.js';
import { DockerSandbox } from './docker-sandbox.js';
import { buildTaskImage } from './images.js';
import { LABELS } from './labels.js';

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DockerBackendOptions {
  /** @default the shared client (DOCKER_HOST like the docker CLI) */
  readonly docker?: Docker;
  /**
   * Keep an attach open to each container so Docker removes it by itself when this process dies (AutoRemove +
   * StdinOnce). Off only where a test needs a sandbox to outlive its owner. @default true
   */
  readonly lifeline?: boolean;
}

/** Errors of the connection to the daemon, by their system error code: the backend is gone, not the request wrong. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && CONNECTION_CODES.has(code);
}

export class DockerBackend implements SandboxBackend {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly lifeline: boolean;

  constructor(options: DockerBackendOptions = {}) {
    this.docker = options.docker ?? dockerClient();
    this.lifeline = options.lifeline ?? true;
  }

  ping(): Promise<void> {
    return pingDocker(this.docker);
  }

  /** An unreachable daemon (at create, or mid-way through it) is a SandboxUnavailableError: worth another try. */
  async create(params: SandboxCreateParams): Promise<Sandbox> {
    try {
      await pingDocker(this.docker);
    } catch (error) {
      throw new SandboxUnavailableError(`no sandbox could be created: ${(error as Error).message}`, { cause: error });
    }
    try {
      return await DockerSandbox.create(this.docker, params, this.lifeline);
    } catch (error) {
      if (error instanceof SandboxUnavailableError) throw error;
      const unreachable = isConnectionError(error) || isConnectionError((error as Error | undefined)?.cause);
      if (unreachable)
        throw new SandboxUnavailableError(`no sandbox could be created: the Docker daemon does not answer (${(error as Error).message})`, { cause: error });
      throw error;
    }
  }

  async imageId(image: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(image).inspect()).Id;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  buildImage(params: ImageBuildParams): Promise<ImageBuildResult> {
    return buildTaskImage(params, this.docker);
  }

  bareOperations(sandbox: Sandbox): BareOperations {
    return bareDockerOperations(this.docker, sandbox);
  }

  /** Remove labgym containers whose owner process on this host is gone; `all` removes every one. */
  async cleanup(options: { all?: boolean } = {}): Promise<string[]> {
    await pingDocker(this.docker);
    const containers = await this.docker.listContainers({ all: true, filters: { label: [LABELS.sandbox] } });
    const removed: string[] = [];
    for (const info of containers) {
      const labels = info.Labels ?? {};
      const owned = labels[LABELS.ownerHost] === hostname() && ownerAlive(Number(labels[LABELS.ownerPid]));
      if (owned && !options.all) continue;
      await this.docker
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .then(() => removed.push(info.Id))
        .catch((error: unknown) => {
          if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
        });
    }
    await this.removeDanglingVolumes();
    return removed;
  }

  /** The tmpfs-backed volumes of sandboxes that are gone (a crash between create and remove leaves them). */
  private async removeDanglingVolumes(): Promise<void> {
    const { Volumes } = await this.docker.listVolumes({ filters: { label: [LABELS.sandbox], dangling: ['true'] } });
    for (const volume of Volumes ?? []) {
      await this.docker
        .getVolume(volume.Name)
        .remove()
        .catch((error: unknown) => {
          if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
        });
    }
  }
}
