/**
 * The agent's declared artifacts, streamed once out of its sandbox into a host tar file (root-owned entries,
 * regular files only), refused past the size cap. Memory stays flat whatever the size.
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArtifactTooLargeError } from '../errors.js';
import { repack } from '../sandbox/archive.js';
import type { Sandbox } from '../sandbox/index.js';
import type { EvaluationFailure } from './evaluator.js';

export const HIDDEN_DIR = 'hidden';
const NOT_FOUND =
  'Submission artefact not found. You have to produce a valid submission artefact as described in the task description to validate your results.';
export const NOT_FOUND_FAILURE: EvaluationFailure = { type: 'submission_not_found', message: NOT_FOUND };
/** Tar headers (a pax header for long names), padding and the end blocks, on top of the files' bytes. */
const TAR_BYTES_PER_FILE = 3 * 512 + 511;
const TAR_END_BYTES = 10_240;

/** The submission as a host tar file of workspace-relative paths, to extract into each evaluation sandbox. */
export interface Submission {
  /** The archive, read afresh for each evaluation sandbox. */
  open(): Readable;
  /** Workspace-relative paths of the files, in the order matched. */
  readonly files: readonly string[];
  /** Path MLGym reports as the submission: the first file, in the agent's workspace. */
  readonly path: string;
  /** Remove the host copy. */
  dispose(): Promise<void>;
}

export type CollectedSubmission = { readonly submission: Submission } | { readonly failure: EvaluationFailure };

/**
 * The regular files matching each artifact glob (bash globstar), workspace-relative, listed as the agent user;
 * undefined when some glob matches nothing. Nothing under hidden/ counts: the labels go there.
 */
async function matchArtifacts(sandbox: Sandbox, workspace: string, patterns: readonly string[]): Promise<string[] | undefined> {
  const script =
    'shopt -s nullglob globstar dotglob; cd "$1" || exit 0; shift; i=0; ' +
    'for g in "$@"; do for f in $g; do [ -f "$f" ] && printf "%s/%s\\0" "$i" "$f"; done; i=$((i+1)); done';
  const listed = await sandbox.run(['bash', '-c', script, 'match', workspace, ...patterns], { user: 'agent' });
  const entries = listed.stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.split(/\/(.*)/s) as [string, string])
    .filter(([, path]) => !path.startsWith(`${HIDDEN_DIR}/`)); // the evaluator's own folder is never submitted
  if (patterns.some((_, i) => !entries.some(([index]) => index === String(i)))) return undefined;
  return [...new Set(entries.map(([, path]) => path))];
}

/**
 * Root's checks of the matched files, run while every process of the agent is stopped (so none can swap a folder for
 * a symlink between the check and the copy): each path resolves to itself (no symlink anywhere on it, root follows
 * them), and the sum of apparent sizes (a sparse file counts in full). Exit 4: the agent's processes did not stop.
 */
const FREEZE_AND_CHECK = `
for _ in $(seq 100); do
  pkill -STOP -u agent
  [ -z "$(ps -u agent -o stat= | grep -v '^[TZ]' | head -1)" ] && break
  sleep 0.01
done
[ -z "$(ps -u agent -o stat= | grep -v '^[TZ]' | head -1)" ] || exit 4
for path; do [ "$(realpath -e -- "$path")" = "$path" ] || exit 3; done
find "$@" -maxdepth 0 -printf '%s\\n' | awk '{ sum += $1 } END { print sum + 0 }'
`;

/** Stop every process of the agent; undefined sum when a file vanished or is reached through a symlink. */
async function freezeAndMeasure(sandbox: Sandbox, paths: readonly string[]): Promise<{ frozen: boolean; bytes?: number }> {
  const checked = await sandbox.run(['bash', '-c', FREEZE_AND_CHECK, 'check', ...paths]);
  if (checked.exitCode === 4) return { frozen: false };
  return { frozen: true, ...(checked.exitCode === 0 ? { bytes: Number(checked.stdout.trim()) } : {}) };
}

const thaw = (sandbox: Sandbox) => sandbox.run(['pkill', '-CONT', '-u', 'agent']).catch(() => undefined);

function tooLarge(bytes: number | undefined, maxBytes: number): EvaluationFailure {
  const size = bytes === undefined ? 'grew past the cap while it was being copied' : `is ${bytes} bytes (${mebibytes(bytes)})`;
  return {
    type: 'submission_too_large',
    message: `The submission ${size}; submissions may be at most ${maxBytes} bytes (${mebibytes(maxBytes)}). Make the submitted files smaller.`,
  };
}

const mebibytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** Copy the declared artifacts out of the agent's sandbox, or say why there is nothing to evaluate. */
export async function collectSubmission(
  agentSandbox: Sandbox,
  workspace: string,
  artifacts: readonly string[],
  maxBytes: number,
): Promise<CollectedSubmission> {
  const matched = await matchArtifacts(agentSandbox, workspace, artifacts);
  if (!matched) return { failure: NOT_FOUND_FAILURE };
  const paths = matched.map((path) => posix.join(workspace, path));
  try {
    const { frozen, bytes } = await freezeAndMeasure(agentSandbox, paths);
    if (!frozen) return { failure: { type: 'evaluation_error', message: "the agent's processes could not be paused to copy the submission" } };
    if (bytes === undefined) return { failure: NOT_FOUND_FAILURE };
    if (bytes > maxBytes) return { failure: tooLarge(bytes, maxBytes) };
    return await copyOut(agentSandbox, workspace, matched, paths, maxBytes);
  } finally {
    await thaw(agentSandbox);
  }
}

/** Stream the checked files out of the (frozen) agent sandbox into a host tar file. */
async function copyOut(
  agentSandbox: Sandbox,
  workspace: string,
  matched: readonly string[],
  paths: readonly string[],
  maxBytes: number,
): Promise<CollectedSubmission> {
  const dir = await mkdtemp(join(tmpdir(), 'labgym-submission-'));
  const file = join(dir, 'submission.tar');
  const dispose = () => rm(dir, { recursive: true, force: true });
  const prefix = `${workspace.replace(/^\/+|\/+$/g, '')}/`;
  const copied = new Set<string>();
  try {
    // A process the stop missed could still grow a file: the stream is capped too.
    const archive = await agentSandbox.readArchive(paths, { maxBytes: maxBytes + TAR_BYTES_PER_FILE * paths.length + TAR_END_BYTES });
    const rewritten = repack([
      {
        archive,
        rewrite: (header) => {
          const name = header.name.slice(prefix.length);
          if (header.type !== 'file' || !header.name.startsWith(prefix) || !matched.includes(name)) return undefined;
          copied.add(name);
          return { name, type: 'file', size: header.size, mode: header.mode & 0o111 ? 0o755 : 0o644, mtime: header.mtime, uid: 0, gid: 0 };
        },
      },
    ]);
    await pipeline(rewritten, createWriteStream(file));
  } catch (error) {
    await dispose();
    if (error instanceof ArtifactTooLargeError) return { failure: tooLarge(undefined, maxBytes) };
    throw error;
  }
  if (copied.size !== matched.length) {
    await dispose();
    return { failure: NOT_FOUND_FAILURE };
  }
  return { submission: { open: () => createReadStream(file), files: matched, path: paths[0] ?? '', dispose } };
}
