/** The agent stage: the MLGym-style agent loop, its prompt templates, response parsers and history processors. */
export { type AgentOptions, type EpisodeLimits, type EpisodeParams, runEpisode, SANDBOX_ERROR_STATUS } from './episode.js';
export { FormatError } from './format-error.js';
export {
  closedWindow,
  DEFAULT_HISTORY_PROCESSOR,
  describeHistoryProcessor,
  type HistoryProcessor,
  type HistoryProcessorSpec,
  historyProcessor,
  identity,
  lastNObservations,
} from './history-processors.js';
export { type ParsedResponse, parseFencedResponse, parseResponse, parseToolCallResponse, parseXmlResponse } from './parsing.js';
export { scoresOf } from './scores.js';
export { type AgentTemplates, defaultTemplates, renderTemplate, templatesHash } from './templates.js';
export { aciToolDefinitions, actionFromToolCall, BASH_TOOL } from './tools.js';
