/** The environment stage: the Gym-style Env, the task it runs, and the ACI inside the sandbox. */
export * from './env.js';
export type * from './task.js';
export { mlgymPostprocess, timeoutMessage } from './observation.js';
export * as aci from './aci/index.js';
