/**
 * Make a used sandbox look new: kill the agent's processes, empty the workspace and /tmp, start a fresh shell
 * and reset the ACI state. Shared by LabgymEnv (same-image reuse) and the generator's warm pool.
 */

import type { Sandbox } from '../sandbox/index.js';
import * as aci from './aci/index.js';

export const WORKSPACE = '/home/agent/workspace';

/** Throws when the sandbox cannot be wiped (then it should be replaced, not reused). */
export async function wipeSandbox(sandbox: Sandbox): Promise<void> {
  const wiped = await sandbox.run(['sh', '-c', `pkill -KILL -u agent; rm -rf ${WORKSPACE} /tmp/* && install -d -o agent -g mlgym ${WORKSPACE}`]);
  if (wiped.exitCode !== 0) throw new Error(wiped.stderr);
  await sandbox.restartShell();
  const sourced = await sandbox.exec(aci.aciResetCommand());
  if (sourced.exitCode !== 0) throw new Error(sourced.output);
}
