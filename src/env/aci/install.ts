/**
 * Installing the ACI into a sandbox: aci.py and the generated aci.sh go root-owned under /opt/labgym/aci, and
 * aci.sh is sourced into the agent's persistent shell. aci.py is read from src/ through readAsset (src/assets.ts),
 * which serves both tsx runs from src/ and compiled runs from dist/, since tsc does not copy .py files.
 */

import { readAsset } from '../../assets.js';
import { SandboxUnavailableError } from '../../errors.js';
import type { Sandbox } from '../../sandbox/index.js';
import { ACI_INSTALL_DIR, ACI_SHELL_PATH, type AciOptions } from './options.js';
import { renderAciShellScript } from './shell-script.js';

/** The text of aci.py, the script every ACI command runs. */
export function readAciScript(): string {
  return readAsset('env/aci/aci.py');
}

/**
 * Write aci.py (0755) and aci.sh (0644) root-owned into the sandbox, so the agent can run but not change them, then
 * source aci.sh in the agent's shell. Throws SandboxUnavailableError when the shell cannot source it.
 */
export async function installAci(sandbox: Sandbox, options: Partial<AciOptions> = {}): Promise<void> {
  await sandbox.writeFiles(
    ACI_INSTALL_DIR,
    [
      { path: 'aci.py', content: readAciScript(), mode: 0o755 },
      { path: 'aci.sh', content: renderAciShellScript(options), mode: 0o644 },
    ],
    { owner: 'root' },
  );
  const sourced = await sandbox.exec(`source ${ACI_SHELL_PATH}`, { timeoutMs: 15_000 });
  if (sourced.exitCode !== 0) {
    throw new SandboxUnavailableError(
      `sandbox ${sandbox.id.slice(0, 12)}: sourcing ${ACI_SHELL_PATH} failed (exit ${sourced.exitCode}): ${sourced.output.trim()}`,
    );
  }
}
