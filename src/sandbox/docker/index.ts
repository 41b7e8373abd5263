/** The Docker backend: the only code in labgym that imports dockerode. Loaded through the registry. */

export { dockerClient, imageExists, pingDocker, requireImage } from './client.js';
export { CAPABILITIES, containerOptions } from './container-options.js';
export { DockerBackend, type DockerBackendOptions } from './docker-backend.js';
export { DockerSandbox } from './docker-sandbox.js';
export { buildTaskImage } from './images.js';
export { LABELS } from './labels.js';
