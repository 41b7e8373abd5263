/**
 * The Sandbox contract: an isolated machine with one persistent shell, file copy in and out, and close.
 * Backends (Docker today, Kubernetes later) implement it; nothing outside src/sandbox knows which one runs.
 * A command that fails is data (ExecResult); only a broken backend throws SandboxUnavailableError.
 */

import type { Readable } from 'node:stream';
import type { SandboxLimitsInput } from './limits.js';

export interface ExecParams {
  /** Kill everything the command started after this long; the shell stays usable. @unit ms @default 25000 */
  readonly timeoutMs?: number;
  /** Kill the command when it prints nothing for this long. @unit ms @default no limit */
  readonly idleTimeoutMs?: number;
  /** Keep at most this many bytes of output (head and tail, with an elision note). @unit bytes; null = no cap */
  readonly outputLimitBytes?: number | null;
}

export interface ExecResult {
  /** stdout and stderr interleaved in the order they were written, as a terminal shows them. */
  readonly output: string;
  /** The command's exit status; 137 when it was killed. */
  readonly exitCode: number;
  readonly timedOut: false | 'total' | 'idle';
  /** The shell could not be interrupted and was restarted: cwd and variables are lost. */
  readonly shellRestarted: boolean;
  /** Output bytes dropped by the output cap. */
  readonly droppedBytes: number;
  readonly durationMs: number;
}

export interface OneShotResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FileEntry {
  /** Path relative to the destination directory. */
  readonly path: string;
  readonly content: Buffer | string;
  /** @default 0o644 */
  readonly mode?: number;
}

export interface CopyOwnership {
  /** @default 'root' — files the agent must not change stay root-owned. */
  readonly owner?: 'root' | 'agent';
}

export interface Sandbox {
  readonly id: string;
  readonly image: string;
  /** Run a command in the persistent agent shell: cwd, variables and functions persist between calls. */
  exec(command: string, params?: ExecParams): Promise<ExecResult>;
  /** Run one command outside the agent shell, in a fresh process (harness operations; root by default). */
  run(argv: readonly string[], options?: { user?: 'root' | 'agent'; stdin?: string; timeoutMs?: number }): Promise<OneShotResult>;
  /** Copy files into a directory of the sandbox (created if missing). */
  writeFiles(destinationDir: string, files: readonly FileEntry[], ownership?: CopyOwnership): Promise<void>;
  /** Copy a host file into `destinationDir`, or a host directory's contents (like `cp -r dir/. dest`). */
  copyIn(hostPath: string, destinationDir: string, ownership?: CopyOwnership): Promise<void>;
  /** Read files out of the sandbox. Missing paths are absent from the result, not errors. */
  readFiles(paths: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Copy a sandbox path (file or directory) out to a host directory. Docker backend: only the places backed by
   * volumes are reachable (workspace, /run/labgym, /opt/labgym/aci, /build), not /tmp or the read-only root.
   */
  copyOut(sandboxPath: string, hostDir: string): Promise<void>;
  /**
   * A tar stream of sandbox paths (absolute; files or folders; missing ones skipped), read as root, entries named by
   * their path without the leading '/' (as `tar -C / -c` names them). Past `maxBytes` of archive the stream fails
   * with ArtifactTooLargeError; nothing is buffered whole in this process.
   */
  readArchive(paths: readonly string[], options: { readonly maxBytes: number }): Promise<Readable>;
  /** Extract a tar stream into `destinationDir` (created if missing), streamed; entries get the ownership's owner. */
  writeArchive(destinationDir: string, archive: Readable, ownership?: CopyOwnership): Promise<void>;
  /** Paths of the root file system that differ from the image (added, changed or deleted): a reset's proof. */
  rootfsChanges(): Promise<string[]>;
  /** Restart the agent shell (fresh cwd and variables); files stay. */
  restartShell(): Promise<void>;
  /** Remove the sandbox and everything in it. Idempotent. */
  close(): Promise<void>;
}

export interface SandboxCreateParams {
  readonly image: string;
  readonly limits?: SandboxLimitsInput;
  /** GPU device ids or UUIDs to expose (Docker DeviceRequests). */
  readonly gpus?: readonly string[];
  /** Host paths mounted read-only: host path -> sandbox path. */
  readonly readOnlyMounts?: Readonly<Record<string, string>>;
  /** Extra labels; labgym's own ownership labels are always added. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Environment variables of the sandbox. */
  readonly env?: Readonly<Record<string, string>>;
  /** User the persistent shell runs as. @default 'agent' */
  readonly shellUser?: string;
  /** Working directory the shell starts in. @default '/home/agent/workspace' */
  readonly workdir?: string;
}

export interface ImageBuildParams {
  /** Image name without tag, e.g. "labgym/task-fashionmnist". */
  readonly name: string;
  /** Folder holding the Dockerfile and what it copies. */
  readonly contextDir: string;
  /** Passed as the BASE_IMAGE build argument. @default labgym/base:latest */
  readonly baseImage?: string;
}

export interface ImageBuildResult {
  /** name:content-hash; unchanged contents give the same tag and no rebuild. */
  readonly tag: string;
  readonly built: boolean;
}

/** What a harness without labgym's persistent shell and warm sandboxes does on this backend (benchmarks only). */
export interface BareOperations {
  /** A fresh one-shot exec of `true` beside the sandbox's shells. */
  freshExec(): Promise<void>;
  /** Create and start a bare sandbox of the same image with no shells; resolves to its removal. */
  bareStart(): Promise<() => Promise<void>>;
}

/**
 * Where sandboxes come from. One per kind of machine (Docker today); chosen by name from the registry
 * (registry.ts), so the generator and the CLI never know which one runs.
 */
export interface SandboxBackend {
  readonly name: string;
  /** Check the backend is reachable; throws PrerequisiteError with the fix when not. */
  ping(): Promise<void>;
  /** @throws SandboxUnavailableError when the backend cannot make one now (daemon gone); PrerequisiteError for a missing image. */
  create(params: SandboxCreateParams): Promise<Sandbox>;
  /** Remove sandboxes whose owner process is gone (or all of them); returns the removed ids. */
  cleanup(options?: { all?: boolean }): Promise<string[]>;
  /** The image's content id, or undefined when the backend does not have it. */
  imageId(image: string): Promise<string | undefined>;
  /** Build an image from a folder unless one with the same content hash exists. */
  buildImage(params: ImageBuildParams): Promise<ImageBuildResult>;
  /** Side-by-side baselines for `labgym bench step`; backends without them leave it out. */
  bareOperations?(sandbox: Sandbox): BareOperations;
}
