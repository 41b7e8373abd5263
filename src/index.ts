/**
 * labgym as a library: generate episodes, run the environment or one episode yourself, score runs and export
 * datasets. The CLI (src/cli) is a thin layer over these same calls.
 */

export { type AgentOptions, type EpisodeLimits, type EpisodeParams, runEpisode } from './agent/index.js';
export { type GenerationSpec, type GenerationSpecInput, GenerationSpecSchema, loadGenerationSpec } from './config/generation-spec.js';

// The environment, the agent loop and the model client.
export {
  type EnvOptions,
  type EnvTask,
  LabgymEnv,
  type ResetParams,
  type ResetResult,
  type SandboxSource,
  type StepInfo,
  type StepResult,
} from './env/index.js';
export * from './errors.js';
export { type EvaluationParams, type EvaluationRecord, type Evaluator, normalizedImprovement, RewardTracker, SandboxEvaluator } from './eval/index.js';
export { type ExportParams, type ExportResult, exportDataset, type FilterRunParams, type FilterRunResult, filterRun } from './export/index.js';
// Generation: a spec of tasks × models × seeds × attempts into a run directory, or one episode.
export {
  type GenerateParams,
  type GenerateSummary,
  type GenerationRun,
  GenerationSpecError,
  generate,
  runSingleEpisode,
  type SingleEpisodeParams,
  type SingleEpisodeResult,
  startGeneration,
} from './generate/index.js';
// Scoring, filtering, export and import.
export { type ScoreParams, type ScoreResult, score } from './metrics/index.js';
export {
  type CompletionParams,
  type CompletionResult,
  ModelClient,
  type ModelClientOptions,
  type PolicyServer,
  type PolicyServerOptions,
  startPolicyServer,
} from './models/index.js';
export {
  createSandbox,
  type ExecResult,
  registerSandboxBackend,
  type Sandbox,
  type SandboxBackend,
  type SandboxCreateParams,
  sandboxBackend,
  sandboxBackendNames,
} from './sandbox/index.js';

// The stored record: schemas (zod) and types.
export {
  type ChatMessage,
  EPISODE_SCHEMA_VERSION,
  type EpisodeRecord,
  EpisodeRecordSchema,
  type ExitReason,
  episodeJsonSchema,
  RunStore,
  readEpisodeFile,
  type ScoreEntry,
  type StepRecord,
  StepRecordSchema,
  StoredEpisodeRecordSchema,
  streamEpisodes,
} from './store/index.js';
// Tasks and sandboxes.
export { listTaskIds, type ResolvedTask, type ResolveOptions, resolveTask, type TaskScale } from './tasks/index.js';
