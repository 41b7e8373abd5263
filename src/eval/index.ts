/** The evaluation stage: the Evaluator contract and the fresh-sandbox evaluator. */
export * from './evaluator.js';
export { SandboxEvaluator, parseMetrics, type SandboxEvaluatorConfig } from './sandbox-evaluator.js';
export { RewardTracker } from './reward.js';
