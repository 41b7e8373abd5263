/** File copy in and out of a Docker sandbox, through Docker's archive API (tar). */

import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { InvalidArgumentError, SandboxUnavailableError } from '../../errors.js';
import { AGENT, type Owner, packFiles, packHostPath, ROOT, unpackToDir, unpackToMap } from '../archive.js';
import type { CopyOwnership, FileEntry, OneShotResult } from '../sandbox.js';
import { statusCode } from './client.js';

export function gone(id: string, error: unknown): SandboxUnavailableError {
  return new SandboxUnavailableError(`sandbox ${id.slice(0, 12)} is not available: ${(error as Error).message ?? error}`, {
    cause: error,
  });
}

/** The copy operations of one container; `run` is the sandbox's one-shot exec (for mkdir as the right user). */
export class DockerFiles {
  constructor(
    private readonly container: Docker.Container,
    private readonly run: (argv: readonly string[], options: { user?: 'root' | 'agent' }) => Promise<OneShotResult>,
  ) {}

  private get id(): string {
    return this.container.id;
  }

  async writeFiles(destinationDir: string, files: readonly FileEntry[], ownership: CopyOwnership = {}): Promise<void> {
    await this.putArchive(destinationDir, ownership, (owner) => packFiles(files, owner));
  }

  async copyIn(hostPath: string, destinationDir: string, ownership: CopyOwnership = {}): Promise<void> {
    await this.putArchive(destinationDir, ownership, (owner) => packHostPath(hostPath, owner));
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    for (const path of paths) {
      try {
        const entries = await unpackToMap((await this.container.getArchive({ path })) as unknown as Readable);
        const name = path.split('/').filter(Boolean).pop()!;
        const content = entries.get(name);
        if (content !== undefined) files.set(path, content);
      } catch (error) {
        if (statusCode(error) === 404) continue;
        throw gone(this.id, error);
      }
    }
    return files;
  }

  async copyOut(sandboxPath: string, hostDir: string): Promise<void> {
    let stream: Readable;
    try {
      stream = (await this.container.getArchive({ path: sandboxPath })) as unknown as Readable;
    } catch (error) {
      throw gone(this.id, error);
    }
    await unpackToDir(stream, hostDir);
  }

  /** Create `destinationDir` as the owner (so the agent can write into its own folders), then extract the archive there. */
  private async putArchive(destinationDir: string, ownership: CopyOwnership, pack: (owner: Owner) => Promise<Buffer>): Promise<void> {
    const user = ownership.owner ?? 'root';
    const made = await this.run(['mkdir', '-p', destinationDir], { user });
    if (made.exitCode !== 0) throw new InvalidArgumentError(`cannot create ${destinationDir} in the sandbox: ${made.stderr.trim()}`);
    const archive = await pack(user === 'agent' ? AGENT : ROOT);
    try {
      await this.container.putArchive(archive, { path: destinationDir });
    } catch (error) {
      throw gone(this.id, error);
    }
  }

  /** TODO(artifact streaming): a capped tar stream of `paths`. */
  async readArchive(_paths: readonly string[], _options: { readonly maxBytes: number }): Promise<Readable> {
    throw new Error('readArchive is not implemented yet');
  }

  /** TODO(artifact streaming): extract a tar stream into `destinationDir`. */
  async writeArchive(_destinationDir: string, _archive: Readable, _ownership: CopyOwnership = {}): Promise<void> {
    throw new Error('writeArchive is not implemented yet');
  }
}
