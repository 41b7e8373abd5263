/** The model stage: the OpenAI-compatible client, usage and cost, budgets, and the built-in policy server. */
export { CostBudget, reserveAll } from './budget.js';
export {
  type CompletionParams,
  type CompletionResult,
  ModelClient,
  type ModelClientOptions,
  type Sampling,
  type ToolDefinition,
  toWireMessage,
} from './client.js';
export { ContextWindowExceededError, CostLimitExceededError, exitActionFor, isEndpointUnreachable, ModelCallError, type ModelExitAction } from './errors.js';
export * from './policies/index.js';
export { type PolicyExchange, type PolicyServer, type PolicyServerOptions, startPolicyServer } from './policy-server.js';
export {
  costUsd,
  estimatePromptTokens,
  estimateTextTokens,
  loadPriceTable,
  type PriceTable,
  PriceTableSchema,
  type Pricing,
  PricingSchema,
} from './usage.js';
