/**
 * A sandbox's workspace between episodes: wipe it (kill the agent's processes, empty the workspace and /tmp,
 * fresh shell, reset ACI state) and fill it with a task's starting files. Shared by LabgymEnv (same-image
 * reuse) and the generator's warm pool, which does both in the background so a reset waits for neither.
 */

import type { Sandbox } from '../sandbox/index.js';
import * as aci from './aci/index.js';
import type { EnvTask } from './task.js';

export const WORKSPACE = '/home/agent/workspace';

/** Make a used sandbox look new. Throws when it cannot be wiped (then replace it, don't reuse it). */
export async function wipeSandbox(sandbox: Sandbox): Promise<void> {
  const wiped = await sandbox.run(['sh', '-c', `pkill -KILL -u agent; rm -rf ${WORKSPACE} /tmp/* && install -d -o agent -g mlgym ${WORKSPACE}`]);
  if (wiped.exitCode !== 0) throw new Error(wiped.stderr);
  await sandbox.restartShell();
  const sourced = await sandbox.exec(aci.aciResetCommand());
  if (sourced.exitCode !== 0) throw new Error(sourced.output);
}

/** Copy the task's starting files into a clean workspace and make its data links. */
export async function fillWorkspace(sandbox: Sandbox, task: Pick<EnvTask, 'workspace' | 'links'>): Promise<void> {
  for (const item of task.workspace) {
    const destination = item.destination ? `${WORKSPACE}/${item.destination}` : WORKSPACE;
    await sandbox.copyIn(item.hostPath, destination, { owner: item.readOnly ? 'root' : 'agent' });
  }
  for (const [path, target] of Object.entries(task.links ?? {})) {
    const linked = await sandbox.run(['ln', '-sfn', target, `${WORKSPACE}/${path}`]);
    if (linked.exitCode !== 0) throw new Error(`linking ${path} -> ${target} in the workspace failed: ${linked.stderr}`);
  }
}
