/** The generate stage: the scheduler and its leases (CPU slots, GPUs, endpoint slots), the warm and evaluation pools, progress and the generate loop. */
export { generate, startGeneration, type GenerateParams, type GenerateSummary, type GenerationRun } from './generate.js';
export { expandJobs, parseHistoryProcessor, type Job } from './jobs.js';
export { EpisodeRunner, isInfrastructureFailure, type EpisodeStartEvent } from './episode-runner.js';
export { RunLedger, type EpisodeFailure, type RunOutcome } from './run-ledger.js';
export { preflight, GenerationSpecError, type Preflight, type PreflightParams } from './preflight.js';
export { CpuSlots, type SlotLease } from './cpu-slots.js';
export { EndpointLimiter, EndpointLimits, LimitedModelClient } from './endpoint-limits.js';
export { GpuLeases, detectGpus, parseNvidiaSmiCsv, NVIDIA_SMI_QUERY, type GpuDevice, type GpuLease } from './gpus.js';
export { WarmPool, type Acquisition, type WarmPoolOptions } from './warm-pool.js';
export { EvaluationPool, type EvaluationPoolOptions } from './evaluation-pool.js';
export { autoProgress, plainProgress, ttyProgress, silentProgress, type ProgressReporter, type ProgressSnapshot } from './progress.js';
export { runSingleEpisode, type SingleEpisodeParams, type SingleEpisodeResult } from './single-episode.js';
