/** The config stage: YAML loading and validation, and the task and dataset schemas. No Docker here. */
export { loadYamlFile, validateConfig, fieldPath } from './yaml.js';
export { taskConfigSchema, primaryMetric, type TaskConfig, type TaskMetric, type TaskVariant } from './task.js';
export { datasetConfigSchema, sourceName, type DatasetConfig, type DatasetSource } from './dataset.js';
