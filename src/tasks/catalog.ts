/**
 * The task and dataset catalog: tasks/<id>/task.yaml and datasets/<id>.yaml, loaded, validated and checked
 * against the files they name. Every problem is a ConfigError naming the file and the field.
 */

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../assets.js';
import { type DatasetConfig, datasetConfigSchema, loadYamlFile, primaryMetric, type TaskConfig, taskConfigSchema } from '../config/index.js';
import { ConfigError } from '../errors.js';

export interface CatalogDirs {
  readonly tasks: string;
  readonly datasets: string;
}

export const DEFAULT_DIRS: CatalogDirs = { tasks: join(PROJECT_ROOT, 'tasks'), datasets: join(PROJECT_ROOT, 'datasets') };

export interface LoadedTask {
  readonly config: TaskConfig;
  /** The task folder (absolute). */
  readonly dir: string;
  readonly file: string;
}

export interface LoadedDataset {
  readonly config: DatasetConfig;
  readonly file: string;
  readonly script: string;
}

export function listTaskIds(dirs: CatalogDirs = DEFAULT_DIRS): string[] {
  return readdirSync(dirs.tasks)
    .filter((name) => existsSync(join(dirs.tasks, name, 'task.yaml')))
    .sort();
}

export function listDatasetIds(dirs: CatalogDirs = DEFAULT_DIRS): string[] {
  if (!existsSync(dirs.datasets)) return [];
  return readdirSync(dirs.datasets)
    .filter((name) => /\.ya?ml$/.test(name) && statSync(join(dirs.datasets, name)).isFile())
    .map((name) => name.replace(/\.ya?ml$/, ''))
    .sort();
}

/** A file named by `field` must exist inside `root`, also after following symbolic links. */
function requireInside(file: string, field: string, root: string, path: string): string {
  const absolute = join(root, path);
  if (!existsSync(absolute)) throw new ConfigError(file, field, `an existing file or folder ${relative(PROJECT_ROOT, absolute)}`, JSON.stringify(path));
  const real = realpathSync(absolute);
  if (relative(realpathSync(root), real).startsWith('..'))
    throw new ConfigError(file, field, 'a path inside the folder (it links outside)', JSON.stringify(path));
  return absolute;
}

export function loadDataset(id: string, dirs: CatalogDirs = DEFAULT_DIRS): LoadedDataset {
  const file = join(dirs.datasets, `${id}.yaml`);
  if (!existsSync(file)) throw new ConfigError(file, '', `a dataset definition for "${id}" (datasets/${id}.yaml)`, 'no such file');
  const config = loadYamlFile(file, datasetConfigSchema);
  if (config.id !== id) throw new ConfigError(file, 'id', `"${id}" (the file's name)`, JSON.stringify(config.id));
  const script = requireInside(file, 'prepare.script', dirs.datasets, config.prepare.script);
  for (const split of Object.keys(config.hidden)) {
    if (!(split in config.splits))
      throw new ConfigError(file, `hidden.${split}`, `a split listed under splits (${Object.keys(config.splits).join(', ')})`, split);
  }
  return { config, file, script };
}

export function loadTask(id: string, dirs: CatalogDirs = DEFAULT_DIRS): LoadedTask {
  const dir = join(dirs.tasks, id);
  const file = join(dir, 'task.yaml');
  if (!existsSync(file)) {
    throw new ConfigError(file, '', `a task folder with task.yaml (known tasks: ${listTaskIds(dirs).join(', ') || 'none'})`, 'no such file');
  }
  const config = loadYamlFile(file, taskConfigSchema);
  if (config.id !== id) throw new ConfigError(file, 'id', `"${id}" (the task folder's name)`, JSON.stringify(config.id));

  for (const [i, path] of config.starter_code.entries()) requireInside(file, `starter_code[${i}]`, dir, path);
  for (const [i, path] of config.evaluation.files.entries()) requireInside(file, `evaluation.files[${i}]`, dir, path);
  for (const [split, paths] of Object.entries(config.hidden)) for (const [i, path] of paths.entries()) requireInside(file, `hidden.${split}[${i}]`, dir, path);
  if (config.memory_path) requireInside(file, 'memory_path', dir, config.memory_path);

  const datasetFields: Array<[string, readonly string[]]> = [
    ['dataset_configs', config.dataset_configs],
    ...Object.entries(config.variants).flatMap(
      ([name, variant]): Array<[string, readonly string[]]> => (variant.dataset_configs ? [[`variants.${name}.dataset_configs`, variant.dataset_configs]] : []),
    ),
  ];
  for (const [field, ids] of datasetFields) {
    ids.forEach((datasetId, i) => {
      if (!existsSync(join(dirs.datasets, `${datasetId}.yaml`))) {
        throw new ConfigError(file, `${field}[${i}]`, `a dataset defined in datasets/ (${listDatasetIds(dirs).join(', ')})`, JSON.stringify(datasetId));
      }
    });
  }

  const metricNames = new Set(config.metrics.map((metric) => metric.name));
  const primary = primaryMetric(config).name;
  const scoreLists: Array<[string, ReadonlyArray<Record<string, number>>]> = [
    ['baseline_scores', config.baseline_scores],
    ['reduced.baseline_scores', config.reduced?.baseline_scores ?? []],
    ...Object.entries(config.variants).flatMap(
      ([name, variant]): Array<[string, ReadonlyArray<Record<string, number>>]> => [
        [`variants.${name}.baseline_scores`, variant.baseline_scores ?? []],
        [`variants.${name}.reduced.baseline_scores`, variant.reduced?.baseline_scores ?? []],
      ],
    ),
  ];
  for (const [field, list] of scoreLists) {
    list.forEach((scores, i) => {
      if (!(primary in scores)) throw new ConfigError(file, `${field}[${i}]`, `a score for the primary metric "${primary}"`, JSON.stringify(scores));
    });
  }
  for (const name of Object.keys(config.baseline_tolerance)) {
    if (!metricNames.has(name))
      throw new ConfigError(file, `baseline_tolerance.${name}`, `a metric listed under metrics (${[...metricNames].join(', ')})`, name);
  }
  return { config, dir, file };
}
