export * from './profiles.js';
export * from './ranks.js';
export * from './attempts.js';
