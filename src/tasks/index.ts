/** The tasks stage: task and dataset catalog, dataset preparation, task images, resolution, baselines, the demo. */
export { DEFAULT_DIRS, listTaskIds, listDatasetIds, loadTask, loadDataset, type CatalogDirs, type LoadedTask, type LoadedDataset } from './catalog.js';
export { prepareDataset, missingUserData, defaultCacheDir, defaultUserDataDir, type PreparedDataset, type DatasetPaths } from './datasets.js';
export { buildImageForTask, DATA_ROOT } from './image.js';
export { resolveTask, taskOnImage, selectVariant, baselineScores, type PooledEvaluator, type ResolvedTask, type ResolveOptions, type TaskScale } from './resolve.js';
export { runBaseline, type BaselineRun } from './baseline.js';
export { numberGuessTask, runDemoEpisode, type DemoStep } from './demo.js';
