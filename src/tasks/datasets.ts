/**
 * Dataset preparation: sources fetched on the host, then the dataset's script run in a builder container with the
 * network off, writing public and hidden per-split files. Cached under <cache>/datasets/<id>-<hash> (the hash covers
 * definition, script, sources, builder image), so unchanged data is never rebuilt; a failure leaves nothing behind.
 */

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type DatasetSource, sourceName } from '../config/index.js';
import { ConfigError, PrerequisiteError } from '../errors.js';
import { sha256File, sha256Tree } from '../hash.js';
import { BASE_IMAGE, sandboxBackend } from '../sandbox/index.js';
import type { LoadedDataset } from './catalog.js';

const run = promisify(execFile);

export interface DatasetPaths {
  /** Prepared datasets and downloads. @default $LABGYM_CACHE/datasets */
  readonly cacheDir?: string;
  /** Where user-supplied files are looked for. @default $LABGYM_USER_DATA, else $LABGYM_CACHE/user-data */
  readonly userDataDir?: string;
  /** Image the preparation script runs in. @default the labgym base image */
  readonly builderImage?: string;
}

export interface PreparedDataset {
  readonly id: string;
  readonly hash: string;
  /** Files for the agent's data folder. */
  readonly publicDir: string;
  /** Per split: the folder of files only the evaluator sees. */
  readonly hiddenDirs: Readonly<Record<string, string>>;
  readonly built: boolean;
}

function cacheRoot(): string {
  return process.env.LABGYM_CACHE ?? join(homedir(), '.cache', 'labgym');
}

/**
 * $LABGYM_CACHE/datasets (default ~/.cache/labgym): outside the checkout so that fresh clones on the same machine (CI)
 * reuse it, as they reuse the content-hashed images.
 */
export function defaultCacheDir(): string {
  return join(cacheRoot(), 'datasets');
}

export function defaultUserDataDir(): string {
  return process.env.LABGYM_USER_DATA ?? join(cacheRoot(), 'user-data');
}

/** Where a user-supplied source is expected, and whether it is there. */
export function localSourcePath(source: Extract<DatasetSource, { local: string }>, userDataDir = defaultUserDataDir()): string {
  return join(userDataDir, source.local);
}

export function missingUserData(dataset: LoadedDataset, userDataDir = defaultUserDataDir()): string[] {
  return dataset.config.sources.flatMap((source) =>
    'local' in source && !existsSync(localSourcePath(source, userDataDir)) ? [localSourcePath(source, userDataDir)] : [],
  );
}

async function debianVersion(source: Extract<DatasetSource, { debian: string }>): Promise<string> {
  if (source.version) return source.version;
  try {
    const { stdout } = await run('apt-cache', ['show', '--no-all-versions', source.debian]);
    const version = /^Version: (.+)$/m.exec(stdout)?.[1];
    if (version) return version;
  } catch {
    // reported below
  }
  throw new PrerequisiteError(`Debian package ${source.debian} is not known to apt here (run apt-get update, or pin a version)`);
}

function lastLine(error: unknown): string {
  return (
    String((error as { stderr?: string }).stderr || error)
      .trim()
      .split('\n')
      .pop() ?? ''
  );
}

async function digest(path: string): Promise<string> {
  return (await stat(path)).isDirectory() ? sha256Tree(path) : sha256File(path);
}

/**
 * The digest of an unpinned user file, remembered by path, size and modification time: hashing many gigabytes on
 * every resolve would take minutes.
 */
async function rememberedDigest(path: string, cacheDir: string): Promise<string> {
  const info = await stat(path);
  const key = `${resolve(path)}:${info.size}:${info.mtimeMs}`;
  const file = join(cacheDir, 'digests.json');
  const known = (await readFile(file, 'utf8').then(JSON.parse, () => ({}))) as Record<string, string>;
  if (known[key]) return known[key];
  known[key] = await digest(path);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(`${file}.${process.pid}`, JSON.stringify(known));
  await rename(`${file}.${process.pid}`, file);
  return known[key];
}

/** A stable identity of each source, without fetching it, for the cache key. */
async function sourceIdentity(source: DatasetSource, paths: Required<DatasetPaths>): Promise<string> {
  if ('debian' in source) return `debian:${source.debian}=${await debianVersion(source)}:${source.path}:${source.sha256 ?? ''}`;
  if ('npm' in source) return `npm:${source.npm}@${source.version}:${source.path}`;
  const path = localSourcePath(source, paths.userDataDir);
  return `local:${source.local}:${source.sha256 ?? (existsSync(path) ? await rememberedDigest(path, paths.cacheDir) : 'missing')}`;
}

async function cacheKey(dataset: LoadedDataset, builderImageId: string, paths: Required<DatasetPaths>): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(dataset.file)).update('\0').update(readFileSync(dataset.script)).update(`\0${builderImageId}\0`);
  for (const source of dataset.config.sources) hash.update(`${await sourceIdentity(source, paths)}\0`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Fetch one source onto the host (a Debian .deb via apt, an npm tarball, or a user-supplied file checked against its
 * sha256); returns the file or folder to copy into the builder.
 */
async function stageSource(dataset: LoadedDataset, index: number, paths: Required<DatasetPaths>, scratch: string): Promise<string> {
  const source = dataset.config.sources[index]!;
  const field = `sources[${index}]`;
  const downloads = join(paths.cacheDir, 'downloads');
  await mkdir(downloads, { recursive: true });
  const unpacked = join(scratch, `source-${index}`);
  await mkdir(unpacked, { recursive: true });

  if ('local' in source) {
    const path = localSourcePath(source, paths.userDataDir);
    if (!existsSync(path)) {
      throw new PrerequisiteError(
        `dataset ${dataset.config.id} needs user-supplied data: ${source.local}${source.sha256 ? ` (sha256 ${source.sha256})` : ''} at ${path}` +
          `${source.url ? `; download it from ${source.url}` : ''} and place it there, or set LABGYM_USER_DATA to the folder that holds it`,
      );
    }
    if (source.sha256) {
      const actual = await digest(path);
      if (actual !== source.sha256) throw new ConfigError(dataset.file, `${field}.sha256`, `the sha256 of ${path} (${source.sha256})`, actual);
    }
    return path;
  }

  if ('debian' in source) {
    const version = await debianVersion(source);
    const prefix = `${source.debian}_${version.replaceAll(':', '%3a')}_`;
    const findDeb = async () => (await readdir(downloads)).find((name) => name.startsWith(prefix) && name.endsWith('.deb'));
    if (!(await findDeb())) {
      try {
        await run('apt-get', ['download', `${source.debian}=${version}`], { cwd: downloads });
      } catch (error) {
        throw new PrerequisiteError(`downloading Debian package ${source.debian}=${version} failed: ${lastLine(error)}`);
      }
    }
    const name = await findDeb();
    if (!name) throw new PrerequisiteError(`apt-get download ${source.debian}=${version} produced no .deb in ${downloads}`);
    const deb = join(downloads, name);
    if (source.sha256) {
      const actual = await sha256File(deb);
      if (actual !== source.sha256) throw new ConfigError(dataset.file, `${field}.sha256`, `the sha256 of ${name} (${source.sha256})`, actual);
    }
    await run('dpkg-deb', ['-x', deb, unpacked]);
  } else {
    const tarballs = join(downloads, 'npm');
    await mkdir(tarballs, { recursive: true });
    const expected = `${source.npm.replace(/^@/, '').replace('/', '-')}-${source.version}.tgz`;
    if (!existsSync(join(tarballs, expected))) {
      try {
        await run('npm', ['pack', `${source.npm}@${source.version}`, '--pack-destination', tarballs, '--silent'], { cwd: tarballs });
      } catch (error) {
        throw new PrerequisiteError(`npm pack ${source.npm}@${source.version} failed: ${lastLine(error)}`);
      }
    }
    await run('tar', ['-xzf', join(tarballs, expected), '-C', unpacked]);
  }
  const path = join(unpacked, source.path);
  if (!existsSync(path)) throw new ConfigError(dataset.file, `${field}.path`, `a path inside the package (${source.path} is not in it)`);
  return path;
}

async function verifyOutput(dataset: LoadedDataset, out: string): Promise<void> {
  const { config, file } = dataset;
  for (const [i, path] of config.public.entries()) {
    if (!existsSync(join(out, 'public', path))) throw new PrerequisiteError(`${file}: public[${i}]: the preparation script did not write public/${path}`);
  }
  for (const [split, paths] of Object.entries(config.hidden)) {
    for (const [i, path] of paths.entries()) {
      if (!existsSync(join(out, 'hidden', split, path)))
        throw new PrerequisiteError(`${file}: hidden.${split}[${i}]: the preparation script did not write hidden/${split}/${path}`);
    }
  }
  let written: Record<string, number>;
  try {
    written = JSON.parse(await readFile(join(out, 'splits.json'), 'utf8')) as Record<string, number>;
  } catch {
    throw new PrerequisiteError(`${file}: splits: the preparation script did not write splits.json`);
  }
  for (const [split, size] of Object.entries(config.splits)) {
    if (written[split] !== size)
      throw new PrerequisiteError(`${file}: splits.${split}: declared ${size} rows, the preparation produced ${written[split] ?? 'none'}`);
  }
}

function prepared(dataset: LoadedDataset, dir: string, hash: string, built: boolean): PreparedDataset {
  const hiddenDirs = Object.fromEntries(Object.keys(dataset.config.hidden).map((split) => [split, join(dir, 'hidden', split)]));
  return { id: dataset.config.id, hash, publicDir: join(dir, 'public'), hiddenDirs, built };
}

/** Prepare a dataset, or return the cached preparation. `log` receives the builder's progress lines. */
export async function prepareDataset(dataset: LoadedDataset, options: DatasetPaths & { log?: (line: string) => void } = {}): Promise<PreparedDataset> {
  const paths: Required<DatasetPaths> = {
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    userDataDir: options.userDataDir ?? defaultUserDataDir(),
    builderImage: options.builderImage ?? BASE_IMAGE,
  };
  const backend = await sandboxBackend();
  const builderId = await backend.imageId(paths.builderImage);
  if (!builderId) throw new PrerequisiteError(`image ${paths.builderImage} not found: build it with \`labgym images build\` (or scripts/setup.sh)`);
  const hash = await cacheKey(dataset, builderId, paths);
  const dir = join(paths.cacheDir, `${dataset.config.id}-${hash}`);
  if (existsSync(join(dir, '.complete'))) return prepared(dataset, dir, hash, false);

  const scratch = join(paths.cacheDir, `.tmp-${dataset.config.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  try {
    const staged: string[] = [];
    for (const index of dataset.config.sources.keys()) staged.push(await stageSource(dataset, index, paths, scratch));

    // Sources are mounted read-only rather than copied in: user-supplied data can be many gigabytes.
    const mounts: Record<string, string> = {};
    for (const [index, path] of staged.entries()) {
      const target = `/build/sources/${sourceName(dataset.config.sources[index]!)}`;
      mounts[resolve(path)] = (await stat(path)).isDirectory() ? target : `${target}/${basename(path)}`;
    }
    const sandbox = await backend.create({ image: paths.builderImage, limits: { cpus: 2, memory: '8g' }, shellUser: 'root', readOnlyMounts: mounts });
    try {
      await sandbox.copyIn(dataset.script, '/build', { owner: 'root' });
      const command = `mkdir -p /build/out && cd /build && LABGYM_SEED=${dataset.config.prepare.seed} python3 ${basename(dataset.script)}`;
      options.log?.(`preparing dataset ${dataset.config.id} in ${sandbox.id.slice(0, 12)}`);
      const result = await sandbox.exec(command, { timeoutMs: dataset.config.prepare.timeout * 1000, outputLimitBytes: 20_000 });
      if (result.exitCode !== 0 || result.timedOut) {
        const tail = result.output.trim().split('\n').slice(-6).join(' | ');
        throw new PrerequisiteError(
          `${dataset.file}: prepare.script: ${basename(dataset.script)} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${tail}`,
        );
      }
      await sandbox.copyOut('/build/out', scratch);
    } finally {
      await sandbox.close();
    }
    const out = join(scratch, 'out');
    await verifyOutput(dataset, out);
    await writeFile(join(out, '.complete'), `${JSON.stringify({ id: dataset.config.id, hash, builderImage: builderId })}\n`);
    await rename(out, dir).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, '.complete'))) throw error; // another process finished the same preparation first
    });
    return prepared(dataset, dir, hash, true);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
