/** The metrics stage: MLGym's score tables (Best Attempt, Best Submission, AUP, ranks) from episode records. */

// The evaluation record's definition (a pure function; eval/evaluator.ts imports only types).
export { normalizedImprovement } from '../eval/evaluator.js';
export * from './attempts.js';
export * from './profile-svg.js';
export * from './profiles.js';
export * from './ranks.js';
export * from './score-runs.js';
export * from './score-table.js';
