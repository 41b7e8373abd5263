/** The Docker backend: the only code in labgym that imports dockerode. Loaded through the registry. */

export { dockerClient, imageExists, pingDocker, requireImage } from './client.js';
export { containerOptions, DockerBackend, type DockerBackendOptions, DockerSandbox, LABELS } from './docker-sandbox.js';
export { buildTaskImage } from './images.js';
