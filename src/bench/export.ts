/**
 * `labgym bench export`: SFT Parquet export of N synthetic episodes against DuckDB's COPY of the same JSONL to
 * Parquet (ZSTD), each in its own child process so peak RSS is the job's own; then a filter + export over the same
 * store, for the flat-memory figure. Numbers, not tests.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../assets.js';
import { exportDataset, parseWhere } from '../export/index.js';
import { syntheticEpisode } from './export-data.js';

export interface BenchExportOptions {
  readonly episodes: number;
  /** Where the synthetic store goes (a temporary folder by default, removed afterwards). */
  readonly dir?: string;
  readonly keep?: boolean;
  /** Filters of the filter + export run. */
  readonly where?: readonly string[];
}

export interface JobResult {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly rows: number;
  readonly outputBytes: number;
}

export interface BenchExportResult {
  readonly episodes: number;
  readonly storeBytes: number;
  readonly duckdb: JobResult;
  readonly labgym: JobResult;
  /** labgym rows/s ÷ DuckDB rows/s (goal ≥ 0.5). */
  readonly rowsPerSecondRatio: number;
  readonly filterExport: JobResult & { readonly where: readonly string[]; readonly episodesKept: number };
  readonly goals: { readonly ratio: 0.5; readonly peakRssMb: 512 };
}

const DEFAULT_WHERE = ['submitted', 'improvement>=0', 'steps<=50', 'percentile>=25'];

async function writeStore(file: string, episodes: number): Promise<void> {
  const stream = createWriteStream(file);
  for (let i = 0; i < episodes; i++) {
    if (!stream.write(`${JSON.stringify(syntheticEpisode(i))}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

/** Run this CLI again as a child (same loader flags), in worker mode; it prints one JSON line. */
async function child(args: readonly string[]): Promise<Record<string, number>> {
  const proc = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'bench', 'export', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(proc, 'close')) as [number];
  if (code !== 0) throw new Error(`bench worker ${args[1]} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Worker: DuckDB's COPY of the JSONL to one ZSTD Parquet file. */
export async function duckdbWorker(input: string, output: string): Promise<Record<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;
  await connection.run(
    `COPY (SELECT * FROM read_ndjson(${quote(input)}, maximum_object_size=1073741824)) TO ${quote(output)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quote(output)})`)).getRows()[0]![0]);
  connection.closeSync();
  return { seconds, rows, peakRssMb: peakRssMb(), outputBytes: (await stat(output)).size };
}

/** Worker: labgym's SFT Parquet export (optionally filtered). */
export async function labgymWorker(input: string, output: string, where: readonly string[]): Promise<Record<string, number>> {
  const started = performance.now();
  const result = await exportDataset({ inputs: [input], out: output, format: 'sft', filters: where.map(parseWhere), overwrite: true });
  const seconds = (performance.now() - started) / 1000;
  let outputBytes = 0;
  for (const file of result.splits[0]!.files) outputBytes += (await stat(join(output, file))).size;
  return { seconds, rows: result.rows, episodes: result.episodes, peakRssMb: peakRssMb(), outputBytes };
}

const job = (raw: Record<string, number>): JobResult => ({ seconds: raw.seconds!, peakRssMb: raw.peakRssMb!, rows: raw.rows!, outputBytes: raw.outputBytes! });

/**
 * One run: the synthetic store (the CLI's default 200k episodes is about 2.2 GB of JSONL), DuckDB, labgym, then the
 * filter + export over the same store (set filters included, so two passes).
 */
export async function benchExport(options: BenchExportOptions, log: (line: string) => void = () => {}): Promise<BenchExportResult> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'labgym-bench-export-')));
  await mkdir(join(dir, 'store', 'episodes'), { recursive: true });
  const store = join(dir, 'store', 'episodes', '00000.jsonl');
  try {
    log(`writing ${options.episodes} synthetic episodes to ${store}`);
    await writeStore(store, options.episodes);
    const storeBytes = (await stat(store)).size;
    log(`store: ${(storeBytes / 2 ** 30).toFixed(2)} GiB; DuckDB COPY ...`);
    const duckdb = job(await child(['--worker', 'duckdb', store, join(dir, 'duckdb.parquet')]));
    log(`DuckDB: ${duckdb.seconds.toFixed(1)} s; labgym export --format sft ...`);
    const labgym = job(await child(['--worker', 'labgym', store, join(dir, 'sft')]));
    const where = options.where ?? DEFAULT_WHERE;
    log(`labgym: ${labgym.seconds.toFixed(1)} s; filter + export (${where.join(' ')}) ...`);
    const filtered = await child(['--worker', 'labgym', store, join(dir, 'filtered'), ...where.flatMap((filter) => ['--where', filter])]);
    return {
      episodes: options.episodes,
      storeBytes,
      duckdb,
      labgym,
      rowsPerSecondRatio: labgym.rows / labgym.seconds / (duckdb.rows / duckdb.seconds),
      filterExport: { ...job(filtered), where, episodesKept: filtered.episodes! },
      goals: { ratio: 0.5, peakRssMb: 512 },
    };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}
