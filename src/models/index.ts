/** The model stage: the OpenAI-compatible client, usage and cost, budgets, and the built-in policy server. */
export { CostBudget, reserveAll } from './budget.js';
export { ModelClient, toWireMessage, type CompletionParams, type CompletionResult, type ModelClientOptions, type Sampling, type ToolDefinition } from './client.js';
export { ContextWindowExceededError, CostLimitExceededError, exitActionFor, ModelCallError, type ModelExitAction } from './errors.js';
export { startPolicyServer, type PolicyExchange, type PolicyServer, type PolicyServerOptions } from './policy-server.js';
export {
  costUsd,
  estimatePromptTokens,
  estimateTextTokens,
  loadPriceTable,
  PriceTableSchema,
  PricingSchema,
  type PriceTable,
  type Pricing,
} from './usage.js';
export * from './policies/index.js';
