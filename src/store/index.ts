/** The store stage: the episode record schema, its JSONL files (one reader, one appender), run stores, MLGym .traj conversion and import. No Docker here. */

export {
  appendEpisode,
  type EpisodeFileContents,
  type EpisodeFileProblem,
  type EpisodeLine,
  parseEpisodeLine,
  problemMessage,
  readEpisodeFile,
  readEpisodeFileStrict,
  readEpisodeLines,
} from './episode-file.js';
export * from './episode-record.js';
export { appendLine, type FileLine, fsyncPath, JsonlAppender, readLines } from './jsonl-file.js';
export { findRunDirs, type ImportResult, importMlgymRun, importMlgymRunDir, type MlgymRunDir, parseRunDirName } from './mlgym-import.js';
export {
  fromMlgymRun,
  type MlgymImportParams,
  type MlgymResults,
  MlgymResultsSchema,
  type MlgymRun,
  type MlgymTraj,
  MlgymTrajSchema,
  readMlgymRun,
  toMlgymRun,
  writeMlgymRun,
} from './mlgym-trajectory.js';
export {
  describeProblems,
  EpisodeLineError,
  episodeFiles,
  INCOMPLETE_EXIT_STATUSES,
  isIncomplete,
  isUnreachableApiExit,
  newRunReadReport,
  type RunReadOptions,
  type RunReadProblem,
  type RunReadReport,
  streamEpisodes,
} from './run-reader.js';
export * from './run-store.js';
