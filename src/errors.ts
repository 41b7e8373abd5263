/**
 * The labgym error tree. Every error a user can cause or fix is a LabgymError with a stable `code`;
 * the CLI prints those as one line (no stack) and exits 2. Anything else is a bug and keeps its stack.
 */

export class LabgymError extends Error {
  readonly code: string = 'E_LABGYM';
  /** A user error is printed as one line without a stack trace. */
  readonly userFacing: boolean = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration value is missing or wrong. `file` and `path` say where, `expected` what was wanted. */
export class ConfigError extends LabgymError {
  override readonly code = 'E_CONFIG';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
    readonly received?: string,
  ) {
    super(`${file}: ${path || '(root)'}: expected ${expected}${received === undefined ? '' : `, got ${received}`}`);
  }
}

/** Something the machine lacks (no Docker daemon, a missing image); the message says how to fix it. */
export class PrerequisiteError extends LabgymError {
  override readonly code = 'E_PREREQUISITE';
}

/** The sandbox backend cannot run commands any more (container gone, daemon down). Command failures are data, not this. */
export class SandboxUnavailableError extends LabgymError {
  override readonly code = 'E_SANDBOX_UNAVAILABLE';
}

/** The sandbox is gone: this error is a SandboxUnavailableError, or wraps one (its `cause` chain). */
export function isSandboxUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) if (current instanceof SandboxUnavailableError) return true;
  return false;
}

/** An argument given to a labgym API is out of range (a negative timeout, an empty action). */
export class InvalidArgumentError extends LabgymError {
  override readonly code = 'E_INVALID_ARGUMENT';
}

/** `step` was called on an environment that has not been reset, or whose episode has ended. */
export class ResetNeededError extends LabgymError {
  override readonly code = 'E_RESET_NEEDED';
}

/** The user stopped the work (Ctrl-C); nothing half-done was recorded. */
export class InterruptedError extends LabgymError {
  override readonly code = 'E_INTERRUPTED';
}

/** An artifact copied out of a sandbox is larger than its cap: the episode's submission fails, the run goes on. */
export class ArtifactTooLargeError extends LabgymError {
  override readonly code = 'E_ARTIFACT_TOO_LARGE';
  constructor(
    readonly limitBytes: number,
    what = 'the artifact',
  ) {
    super(`${what} is larger than the ${limitBytes}-byte cap (raise submission.max_bytes in task.yaml to allow more)`);
  }
}

/** A run folder already has a live writer (another generate or resume); `owner` names it. */
export class RunLockedError extends LabgymError {
  override readonly code = 'E_RUN_LOCKED';
}
