/**
 * The run directory (`runs/<run-id>/`), a contract other stages read. An episode id is derived from (task, model,
 * seed, attempt), so a job that runs twice is stored under one id; readers keep the first complete record per id and
 * drop torn last lines. No Docker here.
 */

import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, LabgymError } from '../errors.js';
import type { EpisodeFileProblem } from './episode-file.js';
import { type EpisodeRecord, EpisodeRecordSchema } from './episode-record.js';
import { fsyncPath, JsonlAppender, readLines } from './jsonl-file.js';
import { RunLock } from './run-lock.js';
import { newRunReadReport, streamEpisodes } from './run-reader.js';

/** One episode to run: a small serialisable value (what a queue of workers would carry). */
export interface EpisodeJob {
  readonly task: string;
  readonly model: string;
  readonly seed: number;
  /** Index of this independent sample of (task, model, seed), from 0. */
  readonly attempt: number;
  /** Hash of the resolved spec the job belongs to. */
  readonly specHash: string;
}

/** `numberGuess-s3-a0-1f2e…`: readable, safe as a folder name, and the same for the same (task, model, seed, attempt). */
export function episodeIdOf(job: Pick<EpisodeJob, 'task' | 'model' | 'seed' | 'attempt'>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([job.task, job.model, job.seed, job.attempt]))
    .digest('hex')
    .slice(0, 12);
  return `${job.task.replace(/[^A-Za-z0-9._-]+/g, '_')}-s${job.seed}-a${job.attempt}-${hash}`;
}

export type JournalEvent =
  | { readonly event: 'run-started' | 'run-resumed'; readonly pid: number; readonly shard: string; readonly episodes: number; readonly missing: number }
  | {
      readonly event: 'run-ended';
      readonly pid: number;
      readonly outcome: 'completed' | 'interrupted' | 'failed';
      readonly done: number;
      readonly failed: number;
    }
  | ({ readonly event: 'episode-scheduled'; readonly episodeId: string } & EpisodeJob)
  | { readonly event: 'episode-started'; readonly episodeId: string; readonly try: number; readonly gpus?: readonly string[] }
  | {
      readonly event: 'episode-finished';
      readonly episodeId: string;
      readonly try: number;
      readonly exitStatus: string;
      readonly shard: string;
      readonly stages: EpisodeStages;
    }
  | { readonly event: 'episode-superseded'; readonly episodeId: string; readonly reason: string; readonly keptAs: string }
  | {
      readonly event: 'episode-failed';
      readonly episodeId: string;
      readonly try: number;
      readonly error: string;
      /** No more tries in this process (a resume tries again). */
      readonly final: boolean;
      readonly stages?: EpisodeStages;
    };

/** Where an episode's time went. @unit ms (gpuSeconds: s) */
export interface EpisodeStages {
  /** Waiting for CPU slots and GPUs. */
  readonly queueMs: number;
  /** Getting a clean sandbox: a warm one from the pool, or a container start. */
  readonly containerStartMs: number;
  readonly warmStart: boolean;
  /** The whole reset (sandbox plus workspace). */
  readonly resetMs: number;
  /** Model calls, retries included, queueing for an endpoint slot excluded. */
  readonly modelMs: number;
  /** Agent commands in the sandbox. */
  readonly commandMs: number;
  /** validate, submit and autosubmission steps (fresh evaluation sandboxes). */
  readonly evaluationMs: number;
  readonly totalMs: number;
  readonly gpuSeconds: number;
}

export type JournalEntry = JournalEvent & { readonly at: string };

export interface RunEpisodes {
  /** One complete record per episode id (the first one written). */
  readonly records: EpisodeRecord[];
  /** Lines that could not be read (torn last lines after a crash included); their episodes count as missing. */
  readonly problems: EpisodeFileProblem[];
  /** Records beyond the first for an id (a job that ran twice). */
  readonly duplicates: number;
}

/** A run file could not be written (a full disk, a read-only folder); what was stored before stays readable. */
export class RunWriteError extends LabgymError {
  override readonly code = 'E_RUN_WRITE';
}

/** `mkdir -p` that fails where a folder cannot be made (Node's recursive mkdir loops forever under /proc). */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(path)).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
  }
  await makeDirectory(dirname(path));
  await mkdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** Write a file so a crash leaves the old content or the new one: temporary file, fsync, rename, fsync the folder. */
async function writeDurably(file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, content);
  const handle = await open(temporary, 'r');
  await handle.sync().finally(() => handle.close());
  await rename(temporary, file);
  await fsyncPath(dirname(file));
}

/** The episode id of a stored line, read from its start (records begin with schemaVersion, then episodeId). */
function lineEpisodeId(line: string): string | undefined {
  return /"episodeId":"([^"]+)"/.exec(line.slice(0, 300))?.[1];
}

export function newRunId(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${name}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * One run directory:
 *   runs/<run-id>/spec.yaml               the resolved generation spec
 *   runs/<run-id>/journal.jsonl           append-only events (episode scheduled/started/finished/failed, with tries)
 *   runs/<run-id>/episodes/<shard>.jsonl  append-only EpisodeRecord lines, one shard per writer process
 *   runs/<run-id>/artifacts/<episode-id>/ per-episode files (records of failed tries)
 *   runs/<run-id>/.lock                   the one writer (RunLock), held from create/open to close
 */
export class RunStore {
  /** This process's shard: a new one per writer, so two writers never interleave lines. */
  readonly shard = `${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private readonly journalAppender: JsonlAppender;
  private readonly shardAppender: JsonlAppender;

  private lock: RunLock | undefined;

  private constructor(readonly dir: string) {
    this.journalAppender = new JsonlAppender(this.journalFile);
    this.shardAppender = new JsonlAppender(this.shardFile);
  }

  get runId(): string {
    return this.dir.split('/').filter(Boolean).pop()!;
  }

  get specFile(): string {
    return join(this.dir, 'spec.yaml');
  }

  get journalFile(): string {
    return join(this.dir, 'journal.jsonl');
  }

  get episodesDir(): string {
    return join(this.dir, 'episodes');
  }

  get shardFile(): string {
    return join(this.episodesDir, `${this.shard}.jsonl`);
  }

  artifactsDir(episodeId: string): string {
    return join(this.dir, 'artifacts', episodeId);
  }

  /** Make runs/<run-id>/ and write the resolved spec (atomically: a crash leaves the old file or the new one). */
  static async create(dir: string, specYaml: string): Promise<RunStore> {
    const store = new RunStore(resolve(dir));
    await makeDirectory(store.episodesDir);
    store.lock = RunLock.acquire(store.dir);
    await makeDirectory(join(store.dir, 'artifacts'));
    await writeDurably(store.specFile, specYaml);
    return store;
  }

  /** An existing run directory (for --resume); it must hold spec.yaml. */
  static async open(dir: string): Promise<RunStore> {
    const store = new RunStore(resolve(dir));
    const found = await stat(store.specFile).catch(() => undefined);
    if (!found?.isFile()) throw new ConfigError(dir, 'spec.yaml', 'a run directory made by `labgym generate` (it holds spec.yaml)', 'no spec.yaml');
    store.lock = RunLock.acquire(store.dir);
    await makeDirectory(store.episodesDir);
    await makeDirectory(join(store.dir, 'artifacts'));
    return store;
  }

  /** Append one journal event and fsync it. Events are written in call order. */
  journal(event: JournalEvent): Promise<void> {
    return this.writing(this.journalFile, this.journalAppender.append(JSON.stringify({ at: new Date().toISOString(), ...event })));
  }

  /** Store a complete episode record in this process's shard (validated first, then fsynced). */
  async appendEpisode(record: EpisodeRecord): Promise<void> {
    await this.writing(this.shardFile, this.shardAppender.append(JSON.stringify(EpisodeRecordSchema.parse(record))));
  }

  /** Keep a file for one episode (e.g. the record of a failed try). */
  async writeArtifact(episodeId: string, name: string, content: string): Promise<void> {
    const dir = this.artifactsDir(episodeId);
    await this.writing(
      dir,
      makeDirectory(dir).then(() => writeFile(join(dir, name), content)),
    );
  }

  /** A failed write as one RunWriteError line saying what is kept and how to go on. */
  private async writing(file: string, write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code) throw error;
      throw new RunWriteError(
        `cannot write ${file} (${(error as Error).message.split('\n')[0]}); the episodes stored before are kept: fix it, then labgym generate --resume ${this.dir}`,
        { cause: error },
      );
    }
  }

  /**
   * Take the stored records of these episodes out of the shards, so they count as missing and run again. Nothing is
   * lost: each is first kept as artifacts/<episode-id>/superseded-<shard>.jsonl, and the move is journalled.
   */
  async supersede(episodeIds: ReadonlySet<string>, reason: string): Promise<void> {
    if (!episodeIds.size) return;
    for (const name of (await readdir(this.episodesDir)).filter((file) => file.endsWith('.jsonl'))) {
      const file = join(this.episodesDir, name);
      const kept: string[] = [];
      const moved = new Map<string, string[]>();
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        const id = lineEpisodeId(line);
        if (id && episodeIds.has(id)) moved.set(id, [...(moved.get(id) ?? []), line]);
        else kept.push(line);
      }
      if (!moved.size) continue;
      for (const [episodeId, lines] of moved) {
        const keptAs = join(this.artifactsDir(episodeId), `superseded-${name}`);
        await makeDirectory(this.artifactsDir(episodeId));
        await writeDurably(keptAs, `${lines.join('\n')}\n`);
        await this.journal({ event: 'episode-superseded', episodeId, reason, keptAs });
      }
      await writeDurably(file, kept.join('\n'));
    }
  }

  /** Every complete record, one per episode id; torn or invalid lines are reported, not fatal. */
  async readEpisodes(): Promise<RunEpisodes> {
    return readRunEpisodes(this.dir);
  }

  async readJournal(): Promise<JournalEntry[]> {
    return readJournal(this.dir);
  }

  /** Flush and close the files, then give up the run's lock. */
  async close(): Promise<void> {
    try {
      await Promise.all([this.journalAppender.close(), this.shardAppender.close()]);
    } finally {
      this.lock?.release();
    }
  }
}

/** Read runs/<run-id>/episodes/*.jsonl: the first complete record per episode id, in shard-name order. */
export async function readRunEpisodes(runDir: string): Promise<RunEpisodes> {
  if (!existsSync(join(runDir, 'episodes'))) return { records: [], problems: [], duplicates: 0 };
  const report = newRunReadReport();
  const records: EpisodeRecord[] = [];
  for await (const record of streamEpisodes([runDir], report)) records.push(record);
  const problems = report.problems.map((problem) => ({ line: problem.line, torn: problem.torn, error: problem.error }));
  return { records, problems, duplicates: report.duplicates };
}

/** Read the journal; a torn last line (a crash mid-write) is dropped. */
export async function readJournal(runDir: string): Promise<JournalEntry[]> {
  const file = join(runDir, 'journal.jsonl');
  if (!existsSync(file)) return [];
  const entries: JournalEntry[] = [];
  for await (const { text } of readLines(file)) {
    try {
      entries.push(JSON.parse(text) as JournalEntry);
    } catch {
      // torn line: the writer was killed while writing it
    }
  }
  return entries;
}
