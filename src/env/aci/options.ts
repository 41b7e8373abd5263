/**
 * ACI settings (viewer window and scroll overlap) and where the ACI is installed in a sandbox.
 * Plain values and validation only; no sandbox here.
 */

import { InvalidArgumentError } from '../../errors.js';

export interface AciOptions {
  /** Lines the file viewer shows at once (MLGym's WINDOW). @default 1000 */
  readonly window: number;
  /** Lines kept from the previous view when scrolling (MLGym's OVERLAP). @default 2 */
  readonly overlap: number;
}

export const DEFAULT_ACI_OPTIONS: AciOptions = { window: 1000, overlap: 2 };

/** Root-owned folder holding aci.py and aci.sh inside the sandbox. */
export const ACI_INSTALL_DIR = '/opt/labgym/aci';
export const ACI_SCRIPT_PATH = `${ACI_INSTALL_DIR}/aci.py`;
export const ACI_SHELL_PATH = `${ACI_INSTALL_DIR}/aci.sh`;

/** Fill in defaults and check the values; throws InvalidArgumentError for a window or overlap that cannot work. */
export function resolveAciOptions(options: Partial<AciOptions> = {}): AciOptions {
  const resolved = { ...DEFAULT_ACI_OPTIONS, ...options };
  if (!Number.isInteger(resolved.window) || resolved.window < 1) {
    throw new InvalidArgumentError(`aci: window must be a positive integer, got ${resolved.window}`);
  }
  if (!Number.isInteger(resolved.overlap) || resolved.overlap < 0 || resolved.overlap >= resolved.window) {
    throw new InvalidArgumentError(`aci: overlap must be an integer from 0 to window - 1 (${resolved.window - 1}), got ${resolved.overlap}`);
  }
  return resolved;
}
