/**
 * Tar archives for copying files into and out of sandboxes (Docker's archive API speaks tar).
 * Entries carry the owner the sandbox should see; extraction refuses paths that escape the target directory.
 */

import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, realpath, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { FileEntry } from './sandbox.js';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export const ROOT: Owner = { uid: 0, gid: 0 };
/** The `agent` user and `mlgym` group of labgym images (scripts/images/build-base.sh). */
export const AGENT: Owner = { uid: 1000, gid: 1000 };

type EntryHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

/** What to do with one entry of an archive being re-packed: its new header, or undefined to drop it. */
export type EntryRewrite = (header: tar.Header) => EntryHeader | undefined;

/** One tar stream to re-pack, and how to rewrite its entries. */
export interface ArchivePart {
  readonly archive: Readable;
  readonly rewrite: EntryRewrite;
}

/** Start draining a pack at once: tar-stream waits for its reader before accepting entries larger than its buffer. */
function collect(pack: tar.Pack): Promise<Buffer> {
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  return new Promise((resolvePromise, reject) => {
    pack.on('end', () => resolvePromise(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

function addEntry(pack: tar.Pack, header: EntryHeader, content?: Buffer): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolvePromise());
    if (content) pack.entry(header, content, done);
    else pack.entry(header, done);
  });
}

/** A tar of in-memory files; parent directories are added with the same owner. */
export async function packFiles(files: readonly FileEntry[], owner: Owner): Promise<Buffer> {
  const pack = tar.pack();
  const archive = collect(pack);
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      await addEntry(pack, { name: `${dir}/`, type: 'directory', mode: 0o755, ...owner });
    }
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    await addEntry(pack, { name: parts.join('/'), type: 'file', mode: file.mode ?? 0o644, size: content.length, ...owner }, content);
  }
  pack.finalize();
  return archive;
}

/** A tar of a host file (named by its basename) or of a directory's contents; modes kept, owner replaced. */
export async function packHostPath(hostPath: string, owner: Owner): Promise<Buffer> {
  const pack = tar.pack();
  const archive = collect(pack);
  const root = resolve(hostPath);
  const rootIsDir = (await lstat(root)).isDirectory();
  const visit = async (path: string, name: string): Promise<void> => {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      await addEntry(pack, { name, type: 'symlink', linkname: await readlink(path), ...owner });
    } else if (info.isDirectory()) {
      if (name) await addEntry(pack, { name: `${name}/`, type: 'directory', mode: info.mode & 0o7777, ...owner });
      for (const child of (await readdir(path)).sort()) await visit(join(path, child), name ? `${name}/${child}` : child);
    } else if (info.isFile()) {
      await addEntry(pack, { name, type: 'file', mode: info.mode & 0o7777, size: info.size, ...owner }, await readFile(path));
    }
  };
  await visit(root, rootIsDir ? '' : basename(root));
  pack.finalize();
  return archive;
}

async function readAll(entry: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Read every regular file of a tar stream into memory, keyed by its path inside the archive. */
export async function unpackToMap(stream: Readable): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const content = await readAll(entry as AsyncIterable<Buffer>);
    if (entry.header.type === 'file') files.set(entry.header.name, content);
  }
  return files;
}

/** Extract a tar stream under `hostDir`; an entry that would land outside it fails the whole extraction. */
export async function unpackToDir(stream: Readable, hostDir: string): Promise<void> {
  const root = resolve(hostDir);
  const extract = tar.extract();
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const { header } = entry;
    const target = resolve(root, header.name);
    if (target !== root && !target.startsWith(root + sep)) {
      stream.destroy();
      throw new Error(`archive entry ${JSON.stringify(header.name)} escapes ${root}`);
    }
    const dir = header.type === 'directory' ? target : dirname(target);
    // A symlink from an earlier entry must not carry a later one outside the folder.
    if (!(await staysInside(root, dir)) || (await isSymlink(target))) {
      stream.destroy();
      throw new Error(`archive entry ${JSON.stringify(header.name)} escapes ${root} through a symbolic link`);
    }
    await mkdir(dir, { recursive: true });
    if (header.type === 'file') {
      await pipeline(entry as unknown as Readable, createWriteStream(target, { mode: header.mode & 0o777 }));
      continue;
    } else if (header.type === 'symlink') {
      await symlink(header.linkname, target).catch(() => undefined);
    }
    entry.resume();
  }
}

/** Whether `path`'s deepest existing ancestor (itself, if it exists) resolves, symlinks followed, inside `root`. */
async function staysInside(root: string, path: string): Promise<boolean> {
  await mkdir(root, { recursive: true });
  let existing = path;
  while (
    !(await lstat(existing).then(
      () => true,
      () => false,
    ))
  )
    existing = dirname(existing);
  const [realRoot, real] = await Promise.all([realpath(root), realpath(existing).catch(() => undefined)]);
  return real !== undefined && (real === realRoot || real.startsWith(realRoot + sep));
}

async function isSymlink(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
}

/** Makes pass-throughs that share one count: they fail with `tooLarge()` once more than `maxBytes` went through them all. */
export function byteCap(maxBytes: number, tooLarge: () => Error): () => Transform {
  let seen = 0;
  return () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(seen > maxBytes ? tooLarge() : null, chunk);
      },
    });
}

/** Pipe `source` into a tar extractor; an error on either side ends both. */
function extractFrom(source: Readable): tar.Extract {
  const extract = tar.extract();
  source.on('error', (error) => extract.destroy(error));
  extract.on('error', () => {}); // surfaces through the iteration
  extract.on('close', () => source.destroy());
  source.pipe(extract as unknown as NodeJS.WritableStream);
  return extract;
}

type ExtractedEntry = tar.ExtractEvents['entry'][1];

function copyEntry(entry: ExtractedEntry, sink: tar.Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const target = sink.entry(header, (error) => (error ? reject(error) : resolvePromise()));
    entry.on('error', reject);
    target.on('error', reject);
    entry.pipe(target);
  });
}

/**
 * Tar streams re-packed one after another into one, entry by entry, each entry streamed (never held whole), so
 * memory stays flat whatever the sizes. Parts are opened one at a time, as they are reached. An error of any
 * part fails the output stream with it.
 */
export function repack(parts: AsyncIterable<ArchivePart> | Iterable<ArchivePart>): Readable {
  const pack = tar.pack();
  const output = Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
  (async () => {
    for await (const { archive, rewrite } of parts) {
      for await (const entry of extractFrom(archive)) {
        const header = rewrite(entry.header);
        if (header) await copyEntry(entry, pack, { ...header, pax: undefined });
        else entry.resume();
      }
    }
    pack.finalize();
  })().catch((error: unknown) => output.destroy(error as Error));
  return output;
}
