/** The evaluation stage: the Evaluator contract, the fresh-sandbox evaluator, the reward rule and Best Attempt. */
export * from './evaluator.js';
export { SandboxEvaluator, parseMetrics, type SandboxEvaluatorConfig } from './sandbox-evaluator.js';
export { RewardTracker } from './reward.js';
export { bestScore, selectBestAttempt, type ScoredAttempt } from './best-attempt.js';
