/** The store stage: the episode record schema, its JSONL files (one reader, one appender), run stores, MLGym .traj conversion and import. No Docker here. */
export * from './episode-record.js';
export {
  appendEpisode,
  parseEpisodeLine,
  problemMessage,
  readEpisodeFile,
  readEpisodeFileStrict,
  readEpisodeLines,
  type EpisodeFileContents,
  type EpisodeFileProblem,
  type EpisodeLine,
} from './episode-file.js';
export { appendLine, fsyncPath, JsonlAppender, readLines, type FileLine } from './jsonl-file.js';
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
  INCOMPLETE_EXIT_STATUSES,
  isIncomplete,
  newRunReadReport,
  streamEpisodes,
  type RunReadOptions,
  type RunReadProblem,
  type RunReadReport,
} from './run-reader.js';
export * from './run-store.js';
export { findRunDirs, importMlgymRun, importMlgymRunDir, parseRunDirName, type ImportResult, type MlgymRunDir } from './mlgym-import.js';
