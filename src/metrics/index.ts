export * from './profiles.js';
export * from './ranks.js';
export * from './attempts.js';
export * from './score-table.js';
export * from './profile-svg.js';
