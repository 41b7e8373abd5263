/**
 * What the environment needs to know about a task to run an episode: the image, the rendered description, the
 * files that make up the starting workspace, timeouts and the evaluator. The task-format stage (task.yaml)
 * produces these; tests build them by hand.
 */

import type { Evaluator } from '../eval/index.js';
import type { SandboxLimitsInput } from '../sandbox/index.js';

export interface WorkspaceItem {
  /** A host file, or a host directory whose contents are copied. */
  readonly hostPath: string;
  /** Destination folder relative to the workspace ('' = the workspace itself). */
  readonly destination?: string;
  /** Root-owned: the agent can read but not change or chmod it (evaluator copies, data). */
  readonly readOnly?: boolean;
}

export interface EnvTask {
  readonly id: string;
  readonly image: string;
  readonly description: string;
  readonly workspace: readonly WorkspaceItem[];
  readonly evaluator: Evaluator;
  /** Timeout for training-like commands (python, torchrun, ...). @unit ms @default 1800000 */
  readonly trainingTimeoutMs?: number;
  readonly limits?: SandboxLimitsInput;
  readonly gpus?: readonly string[];
  /** Environment of the agent's sandbox (e.g. LABGYM_SCALE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Symbolic links made in the workspace at reset: workspace-relative path -> absolute target (read-only data). */
  readonly links?: Readonly<Record<string, string>>;
}
