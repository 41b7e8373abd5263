/** The Docker backend: the only code in labgym that imports dockerode. Loaded through the registry. */
export { DockerBackend, DockerSandbox, LABELS, containerOptions, type DockerBackendOptions } from './docker-sandbox.js';
export { dockerClient, pingDocker, imageExists, requireImage } from './client.js';
export { buildTaskImage } from './images.js';
