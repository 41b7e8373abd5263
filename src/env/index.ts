/** The environment stage: the Gym-style Env, the task it runs, and the ACI inside the sandbox. */

export * as aci from './aci/index.js';
export * from './env.js';
export { mlgymPostprocess, timeoutMessage } from './observation.js';
export type * from './task.js';
