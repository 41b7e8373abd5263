/** The tasks stage: task and dataset catalog, dataset preparation, task images, resolution, baselines, the demo. */

export { type BaselineRun, runBaseline } from './baseline.js';
export { type CatalogDirs, DEFAULT_DIRS, type LoadedDataset, type LoadedTask, listDatasetIds, listTaskIds, loadDataset, loadTask } from './catalog.js';
export { type DatasetPaths, defaultCacheDir, defaultUserDataDir, missingUserData, type PreparedDataset, prepareDataset } from './datasets.js';
export { type DemoStep, numberGuessTask, runDemoEpisode } from './demo.js';
export { buildImageForTask, DATA_ROOT } from './image.js';
export {
  baselineScores,
  type PooledEvaluator,
  type ResolvedTask,
  type ResolveOptions,
  resolveTask,
  selectVariant,
  type TaskScale,
  taskOnImage,
} from './resolve.js';
