/** File copy in and out of a Docker sandbox, through Docker's archive API (tar), streamed where sizes are the agent's. */

import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { ArtifactTooLargeError, InvalidArgumentError, SandboxUnavailableError } from '../../errors.js';
import { AGENT, byteCap, type Owner, packFiles, packHostPath, ROOT, repack, unpackToDir, unpackToMap } from '../archive.js';
import type { CopyOwnership, FileEntry, OneShotResult } from '../sandbox.js';
import { statusCode } from './client.js';

export function gone(id: string, error: unknown): SandboxUnavailableError {
  return new SandboxUnavailableError(`sandbox ${id.slice(0, 12)} is not available: ${(error as Error).message ?? error}`, {
    cause: error,
  });
}

/** Errors of a connection to the daemon that broke or never opened. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * A Docker call's error as labgym sees it: SandboxUnavailableError only when the daemon is unreachable or the
 * container is gone (404, 409); anything else (a RangeError, a cap, a bug) stays what it is, so it is not retried.
 */
export function dockerError(id: string, error: unknown): Error {
  const status = statusCode(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (status === 404 || status === 409 || (typeof code === 'string' && CONNECTION_CODES.has(code))) return gone(id, error);
  return error instanceof Error ? error : new Error(String(error));
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
    const owner = await this.prepareDestination(destinationDir, ownership);
    await this.put(destinationDir, await packFiles(files, owner));
  }

  async copyIn(hostPath: string, destinationDir: string, ownership: CopyOwnership = {}): Promise<void> {
    const owner = await this.prepareDestination(destinationDir, ownership);
    await this.put(destinationDir, await packHostPath(hostPath, owner));
  }

  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    for (const path of paths) {
      let archive: Readable;
      try {
        archive = (await this.container.getArchive({ path })) as unknown as Readable;
      } catch (error) {
        if (statusCode(error) === 404) continue;
        throw dockerError(this.id, error);
      }
      const entries = await unpackToMap(archive);
      const content = entries.get(posix.basename(path));
      if (content !== undefined) files.set(path, content);
    }
    return files;
  }

  async copyOut(sandboxPath: string, hostDir: string): Promise<void> {
    let stream: Readable;
    try {
      stream = (await this.container.getArchive({ path: sandboxPath })) as unknown as Readable;
    } catch (error) {
      throw dockerError(this.id, error);
    }
    await unpackToDir(stream, hostDir);
  }

  /**
   * One tar stream of `paths` (absolute; missing ones are skipped), entries named by their path without the
   * leading '/', as `tar -C / -c` names them. Past `maxBytes` of Docker's archives the stream fails with
   * ArtifactTooLargeError; the paths are fetched one after another as the stream is read.
   */
  async readArchive(paths: readonly string[], options: { readonly maxBytes: number }): Promise<Readable> {
    const counter = byteCap(options.maxBytes, () => new ArtifactTooLargeError(options.maxBytes, 'the archive'));
    const open = (path: string) => this.getArchive(path);
    const id = this.id;
    async function* parts() {
      for (const path of paths) {
        const archive = await open(path);
        if (!archive) continue;
        const counted = counter();
        archive.on('error', (error) => counted.destroy(dockerError(id, error)));
        counted.on('close', () => archive.destroy());
        const prefix = posix.dirname(path).replace(/^\/+/, '');
        yield {
          archive: archive.pipe(counted),
          rewrite: (header: { name: string }) => ({ ...header, name: prefix ? `${prefix}/${header.name}` : header.name }),
        };
      }
    }
    return repack(parts());
  }

  /** Extract a tar stream into `destinationDir` (created as the owner if missing), every entry owned by the owner. */
  async writeArchive(destinationDir: string, archive: Readable, ownership: CopyOwnership = {}): Promise<void> {
    const owner = await this.prepareDestination(destinationDir, ownership);
    const body = repack([{ archive, rewrite: (header) => ({ ...header, uid: owner.uid, gid: owner.gid, uname: '', gname: '' }) }]);
    let failure: Error | undefined;
    body.on('error', (error) => {
      failure ??= error;
    });
    try {
      await this.put(destinationDir, body);
    } catch (error) {
      failure ??= error as Error;
    } finally {
      body.destroy();
    }
    if (failure) throw failure;
  }

  private async getArchive(path: string): Promise<Readable | undefined> {
    try {
      return (await this.container.getArchive({ path })) as unknown as Readable;
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw dockerError(this.id, error);
    }
  }

  /** Create `destinationDir` as the owner (so the agent can write into its own folders); the owner entries get. */
  private async prepareDestination(destinationDir: string, ownership: CopyOwnership): Promise<Owner> {
    const user = ownership.owner ?? 'root';
    const made = await this.run(['mkdir', '-p', destinationDir], { user });
    if (made.exitCode !== 0) throw new InvalidArgumentError(`cannot create ${destinationDir} in the sandbox: ${made.stderr.trim()}`);
    return user === 'agent' ? AGENT : ROOT;
  }

  private async put(destinationDir: string, archive: Buffer | Readable): Promise<void> {
    try {
      await this.container.putArchive(archive as NodeJS.ReadableStream, { path: destinationDir });
    } catch (error) {
      throw dockerError(this.id, error);
    }
  }
}
