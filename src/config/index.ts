/** The config stage: YAML loading and validation, and the task and dataset schemas. No Docker here. */

export { type DatasetConfig, type DatasetSource, datasetConfigSchema, sourceName } from './dataset.js';
export { primaryMetric, type TaskConfig, type TaskMetric, type TaskVariant, taskConfigSchema } from './task.js';
export { fieldPath, loadYamlFile, validateConfig } from './yaml.js';
