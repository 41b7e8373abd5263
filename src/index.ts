/**
 * labgym as a library: generate episodes, run the environment or one episode yourself, score runs and export
 * datasets. The CLI (src/cli) is a thin layer over these same calls.
 */

// Generation: a spec of tasks × models × seeds × attempts into a run directory, or one episode.
export {
  generate,
  startGeneration,
  runSingleEpisode,
  GenerationSpecError,
  type GenerateParams,
  type GenerateSummary,
  type GenerationRun,
  type SingleEpisodeParams,
  type SingleEpisodeResult,
} from './generate/index.js';
export { loadGenerationSpec, GenerationSpecSchema, type GenerationSpec, type GenerationSpecInput } from './config/generation-spec.js';

// The environment, the agent loop and the model client.
export { LabgymEnv, type EnvOptions, type ResetParams, type ResetResult, type StepInfo, type StepResult, type EnvTask, type SandboxSource } from './env/index.js';
export { runEpisode, type AgentOptions, type EpisodeLimits, type EpisodeParams } from './agent/index.js';
export { ModelClient, startPolicyServer, type ModelClientOptions, type CompletionParams, type CompletionResult, type PolicyServer, type PolicyServerOptions } from './models/index.js';
export { SandboxEvaluator, RewardTracker, normalizedImprovement, type Evaluator, type EvaluationParams, type EvaluationRecord } from './eval/index.js';

// Tasks and sandboxes.
export { resolveTask, listTaskIds, type ResolvedTask, type ResolveOptions, type TaskScale } from './tasks/index.js';
export {
  createSandbox,
  registerSandboxBackend,
  sandboxBackend,
  sandboxBackendNames,
  type ExecResult,
  type Sandbox,
  type SandboxBackend,
  type SandboxCreateParams,
} from './sandbox/index.js';

// Scoring, filtering, export and import.
export { score, type ScoreParams, type ScoreResult } from './metrics/index.js';
export { exportDataset, filterRun, type ExportParams, type ExportResult, type FilterRunParams, type FilterRunResult } from './export/index.js';

// The stored record: schemas (zod) and types.
export {
  EPISODE_SCHEMA_VERSION,
  EpisodeRecordSchema,
  StoredEpisodeRecordSchema,
  StepRecordSchema,
  episodeJsonSchema,
  streamEpisodes,
  readEpisodeFile,
  RunStore,
  type EpisodeRecord,
  type StepRecord,
  type ChatMessage,
  type ExitReason,
  type ScoreEntry,
} from './store/index.js';

export * from './errors.js';
