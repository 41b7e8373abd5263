/** The sandbox stage: the Sandbox contract, the backend registry, limits. Other folders import from here only. */

export { BASE_IMAGE } from './base-image.js';
export { parseSize, resolveLimits, type SandboxLimits, type SandboxLimitsInput, SandboxLimitsSchema } from './limits.js';
export { createSandbox, DEFAULT_SANDBOX_BACKEND, registerSandboxBackend, sandboxBackend, sandboxBackendNames } from './registry.js';
export type * from './sandbox.js';
