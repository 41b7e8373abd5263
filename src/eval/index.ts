/** The evaluation stage: the Evaluator contract, the fresh-sandbox evaluator, the reward rule and Best Attempt. */

export { bestScore, type ScoredAttempt, selectBestAttempt } from './best-attempt.js';
export * from './evaluator.js';
export { RewardTracker } from './reward.js';
export { parseMetrics, SandboxEvaluator, type SandboxEvaluatorConfig } from './sandbox-evaluator.js';
