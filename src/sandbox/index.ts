/** The sandbox stage: the Sandbox contract, the backend registry, limits. Other folders import from here only. */

export type * from './sandbox.js';
export { BASE_IMAGE } from './base-image.js';
export { DEFAULT_SANDBOX_BACKEND, createSandbox, registerSandboxBackend, sandboxBackend, sandboxBackendNames } from './registry.js';
export { resolveLimits, parseSize, SandboxLimitsSchema, type SandboxLimits, type SandboxLimitsInput } from './limits.js';
