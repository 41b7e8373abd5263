/** The generate stage: the scheduler and its leases (CPU slots, GPUs, endpoint slots), the warm and evaluation pools, progress and the generate loop. */

export { CpuSlots, type SlotLease } from './cpu-slots.js';
export { EndpointLimiter, EndpointLimits, LimitedModelClient } from './endpoint-limits.js';
export { EpisodeRunner, type EpisodeStartEvent, isInfrastructureFailure } from './episode-runner.js';
export { EvaluationPool, type EvaluationPoolOptions } from './evaluation-pool.js';
export { type GenerateParams, type GenerateSummary, type GenerationRun, generate, startGeneration } from './generate.js';
export { detectGpus, type GpuDevice, type GpuLease, GpuLeases, NVIDIA_SMI_QUERY, parseNvidiaSmiCsv } from './gpus.js';
export { expandJobs, type Job, parseHistoryProcessor } from './jobs.js';
export { GenerationSpecError, type Preflight, type PreflightParams, preflight } from './preflight.js';
export { autoProgress, type ProgressReporter, type ProgressSnapshot, plainProgress, silentProgress, ttyProgress } from './progress.js';
export { type EpisodeFailure, RunLedger, type RunOutcome } from './run-ledger.js';
export { runSingleEpisode, type SingleEpisodeParams, type SingleEpisodeResult } from './single-episode.js';
export { type Acquisition, WarmPool, type WarmPoolOptions } from './warm-pool.js';
