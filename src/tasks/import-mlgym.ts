/**
 * `labgym tasks import-mlgym`: MLGym's configs/tasks/*.yaml and configs/datasets/*.yaml into labgym's task format.
 * MLGym keeps metric directions in code and evaluation in task classes; both are filled in here from what MLGym does
 * (reference_mlgym.md §3.2–3.3).
 */

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { validateConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { sha256Tree } from '../hash.js';

const mlgymTask = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1),
  dataset_configs: z.array(z.string()).default([]),
  task_entrypoint: z.string().default('CSVSubmissionTasks'),
  training_timeout: z.number().int().positive().nullable().default(null),
  starter_code: z.array(z.string()).default([]),
  baseline_paths: z.array(z.string()).default([]),
  baseline_scores: z.array(z.record(z.string(), z.number())).default([]),
  evaluation_paths: z.array(z.string()).default([]),
  evaluation_read_only: z.boolean().default(false),
  memory_path: z.string().nullable().optional(),
});

const mlgymDataset = z.looseObject({
  name: z.string().min(1),
  description: z.string().min(1),
  data_path: z.string().min(1),
  is_local: z.boolean().default(false),
});

/** MLGym's TASKS table (mlgym/evaluation/utils.py): the priority metric and its direction. */
export const MLGYM_PRIMARY_METRICS: Readonly<Record<string, { name: string; direction: 'maximize' | 'minimize' }>> = {
  regressionKaggleHousePrice: { name: 'r2', direction: 'maximize' },
  regressionKaggleHousePriceL1: { name: 'r2', direction: 'maximize' },
  '3SATTime': { name: 'Time', direction: 'minimize' },
  imageClassificationCifar10: { name: 'accuracy', direction: 'maximize' },
  imageClassificationFMnist: { name: 'accuracy', direction: 'maximize' },
  imageCaptioningCOCO: { name: 'BLEU Score', direction: 'maximize' },
  languageModelingFineWeb: { name: 'val_loss', direction: 'minimize' },
  naturalLanguageInferenceMNLI: { name: 'validation_accuracy', direction: 'maximize' },
  battleOfSexes: { name: 'Score', direction: 'maximize' },
  prisonersDilemma: { name: 'Score', direction: 'maximize' },
  blotto: { name: 'Score', direction: 'maximize' },
  rlBreakoutMinAtar: { name: 'Reward Mean', direction: 'maximize' },
  rlMetaMazeMisc: { name: 'Reward Mean', direction: 'maximize' },
  rlMountainCarContinuous: { name: 'Reward Mean', direction: 'maximize' },
  rlMountainCarContinuousReinforce: { name: 'Reward Mean', direction: 'maximize' },
  titanicSurvival: { name: 'accuracy', direction: 'maximize' },
};

/** What each MLGym task class submits and how it evaluates (reference §3.2). */
function evaluationFor(entrypoint: string, evaluate: string): { artifacts: string[]; command: string } {
  switch (entrypoint) {
    case 'ModelSubmissionTasks':
      return { artifacts: ['**/*.yaml', 'checkpoints/**'], command: `python3 ${evaluate} --config_fname "$(find . -name '*.yaml' | head -n1)"` };
    case 'LMSubmissionTasks':
      return { artifacts: ['**/*.pt', '**/*.json'], command: `torchrun --nproc_per_node=1 --standalone ${evaluate}` };
    case 'PythonSubmissionTasks':
      return { artifacts: ['*.py'], command: `python3 ${evaluate}` };
    default:
      return { artifacts: ['submission.csv'], command: `python3 ${evaluate} --submission_file submission.csv` };
  }
}

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, '', 'valid YAML', (error as Error).message.split('\n')[0]);
  }
}

export interface ImportReport {
  readonly tasks: Array<{ id: string; file: string; notes: string[] }>;
  readonly datasets: Array<{ id: string; file?: string; note?: string }>;
}

const COPY_SCRIPT = `"""Imported from MLGym: copy the user-supplied data folder as it is."""
import json, os, shutil
source = os.path.join("sources", os.listdir("sources")[0])
shutil.copytree(source, "out/public", dirs_exist_ok=True)
json.dump({}, open("out/splits.json", "w"))
`;

/**
 * Starter and evaluation files are copied when the MLGym checkout beside the configs folder has them; local datasets
 * are converted when their data is present (hashed), while hub datasets cannot be fetched offline and are reported.
 */
export async function importMlgymConfigs(configsDir: string, outDir: string): Promise<ImportReport> {
  const repoRoot = join(configsDir, '..');
  const report: ImportReport = { tasks: [], datasets: [] };
  const datasetIds = new Map<string, string>();

  const datasetsDir = join(configsDir, 'datasets');
  for (const name of existsSync(datasetsDir)
    ? readdirSync(datasetsDir)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
    : []) {
    const file = join(datasetsDir, name);
    const dataset = validateConfig(file, mlgymDataset, readYaml(file));
    const id = name.replace(/\.ya?ml$/, '');
    datasetIds.set(`datasets/${name}`, id);
    const dataPath = join(repoRoot, dataset.data_path);
    if (!dataset.is_local) {
      report.datasets.push({ id, note: `hub dataset ${dataset.data_path}: cannot be fetched offline; supply it as a local dataset` });
      continue;
    }
    if (!existsSync(dataPath) || !statSync(dataPath).isDirectory()) {
      report.datasets.push({ id, note: `local data ${dataset.data_path} is not present beside the configs; place it there and import again` });
      continue;
    }
    const userData = join(outDir, 'datasets', 'user-data', id);
    cpSync(dataPath, userData, { recursive: true });
    const files = readdirSync(dataPath);
    const out = join(outDir, 'datasets', `${id}.yaml`);
    mkdirSync(join(outDir, 'datasets'), { recursive: true });
    writeFileSync(join(outDir, 'datasets', `${id}.py`), COPY_SCRIPT);
    writeFileSync(
      out,
      stringify({
        id,
        name: dataset.name,
        description: dataset.description,
        license: 'as distributed by its source (imported from MLGym)',
        sources: [{ local: id, sha256: await sha256Tree(userData) }],
        prepare: { script: `${id}.py` },
        public: files,
        splits: {},
      }),
    );
    report.datasets.push({ id, file: out });
  }

  const tasksDir = join(configsDir, 'tasks');
  for (const name of existsSync(tasksDir)
    ? readdirSync(tasksDir)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
    : []) {
    const file = join(tasksDir, name);
    const task = validateConfig(file, mlgymTask, readYaml(file));
    const notes: string[] = [];
    const taskDir = join(outDir, 'tasks', task.id);
    mkdirSync(join(taskDir, 'workspace'), { recursive: true });
    const starter = task.starter_code.map((path) => {
      const source = join(repoRoot, path);
      if (existsSync(source)) cpSync(source, join(taskDir, 'workspace', basename(path)), { recursive: true });
      else notes.push(`starter file ${path} is not in the MLGym checkout; add it to ${taskDir}/workspace`);
      return `workspace/${basename(path)}`;
    });
    const evaluate = task.evaluation_paths[0] ?? 'evaluate.py';
    const known = MLGYM_PRIMARY_METRICS[task.id];
    const firstScore = Object.keys(task.baseline_scores[0] ?? {})[0];
    const metric = known ?? { name: firstScore ?? 'score', direction: 'maximize' as const };
    if (!known) notes.push(`metric direction unknown to MLGym's table: assumed ${metric.name} (maximize); check it`);
    const evaluation = evaluationFor(task.task_entrypoint, basename(evaluate));
    const converted = {
      id: task.id,
      name: task.name,
      description: task.description,
      dataset_configs: task.dataset_configs.map((path) => datasetIds.get(path) ?? basename(path).replace(/\.ya?ml$/, '')),
      task_entrypoint: task.task_entrypoint,
      starter_code: starter,
      baseline_paths: task.baseline_paths,
      baseline_scores: task.baseline_scores,
      evaluation_paths: task.evaluation_paths,
      evaluation_read_only: task.evaluation_read_only,
      training_timeout: task.training_timeout ?? 3600,
      metrics: [{ name: metric.name, direction: metric.direction, primary: true }],
      submission: { artifacts: evaluation.artifacts },
      evaluation: { command: evaluation.command, files: [`workspace/${basename(evaluate)}`], metrics_from: 'stdout' },
    };
    const out = join(taskDir, 'task.yaml');
    writeFileSync(out, `# Imported from MLGym ${name}: evaluation runs MLGym's own evaluate.py (metrics from stdout).\n${stringify(converted)}`);
    report.tasks.push({ id: task.id, file: out, notes });
  }
  return report;
}
