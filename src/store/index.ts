/** The store stage: the episode record schema, its JSONL file, and MLGym .traj conversion. No Docker here. */
export * from './episode-record.js';
export { appendEpisode, readEpisodeFile, readEpisodeFileStrict, type EpisodeFileContents, type EpisodeFileProblem } from './episode-file.js';
export {
  fromMlgymRun,
  readMlgymRun,
  toMlgymRun,
  writeMlgymRun,
  MlgymTrajSchema,
  MlgymResultsSchema,
  type MlgymImportParams,
  type MlgymResults,
  type MlgymRun,
  type MlgymTraj,
} from './mlgym-trajectory.js';
export {
  describeProblems,
  episodeFiles,
  EpisodeLineError,
  newRunReadReport,
  parseEpisodeLine,
  streamEpisodes,
  type RunReadOptions,
  type RunReadProblem,
  type RunReadReport,
} from './run-reader.js';
export * from './run-store.js';
