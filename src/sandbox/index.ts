/** The sandbox stage: the Sandbox contract, its Docker backend, limits and images. Other folders import from here only. */

import { DockerBackend } from './docker/docker-sandbox.js';
import type { Sandbox, SandboxCreateParams } from './sandbox.js';

export type * from './sandbox.js';
export { DockerBackend, DockerSandbox, LABELS, containerOptions } from './docker/docker-sandbox.js';
export { dockerClient, pingDocker, imageExists, requireImage } from './docker/client.js';
export { resolveLimits, parseSize, SandboxLimitsSchema, type SandboxLimits, type SandboxLimitsInput } from './limits.js';

let defaultBackend: DockerBackend | undefined;

/** Create a sandbox on the default (Docker) backend. */
export function createSandbox(params: SandboxCreateParams): Promise<Sandbox> {
  defaultBackend ??= new DockerBackend();
  return defaultBackend.create(params);
}
export { BASE_IMAGE, buildTaskImage, type TaskImageParams, type TaskImageResult } from './images.js';
