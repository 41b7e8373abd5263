/**
 * The shared dockerode client and the checks that turn "no daemon" and "no such image" into one-line
 * PrerequisiteErrors that say how to fix them.
 */

import Docker from 'dockerode';
import { PrerequisiteError } from '../../errors.js';

let shared: Docker | undefined;

/** One client per process (honours DOCKER_HOST like the docker CLI). */
export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

function socketName(docker: Docker): string {
  const modem = docker.modem as unknown as { socketPath?: string; host?: string; port?: number };
  return modem.socketPath ?? `${modem.host}:${modem.port}`;
}

export async function pingDocker(docker: Docker = dockerClient()): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw new PrerequisiteError(`no Docker daemon answers at ${socketName(docker)}: run scripts/ensure-docker.sh (it installs docker.io and starts dockerd)`, {
      cause: error,
    });
  }
}

export async function imageExists(image: string, docker: Docker = dockerClient()): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

export async function requireImage(image: string, docker: Docker = dockerClient()): Promise<void> {
  if (!(await imageExists(image, docker))) {
    throw new PrerequisiteError(`image ${image} not found: build it with \`labgym images build\` (or scripts/setup.sh)`);
  }
}

export function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
