/** The agent stage: the MLGym-style agent loop, its prompt templates, response parsers and history processors. */
export { runEpisode, SANDBOX_ERROR_STATUS, type AgentOptions, type EpisodeLimits, type EpisodeParams } from './episode.js';
export { scoresOf } from './scores.js';
export { FormatError } from './format-error.js';
export {
  closedWindow,
  DEFAULT_HISTORY_PROCESSOR,
  describeHistoryProcessor,
  historyProcessor,
  identity,
  lastNObservations,
  type HistoryProcessor,
  type HistoryProcessorSpec,
} from './history-processors.js';
export { parseFencedResponse, parseResponse, parseToolCallResponse, parseXmlResponse, type ParsedResponse } from './parsing.js';
export { defaultTemplates, renderTemplate, templatesHash, type AgentTemplates } from './templates.js';
export { aciToolDefinitions, actionFromToolCall, BASH_TOOL } from './tools.js';
