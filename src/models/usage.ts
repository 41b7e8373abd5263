/**
 * Token counts when an endpoint reports none, and cost from a price table. The estimate is hand-written on
 * purpose: a real tokenizer is model-specific, and this only has to bound budgets and context, not bill.
 */

import { z } from 'zod';
import { loadYamlFile } from '../config/yaml.js';
import type { ChatMessage } from '../store/index.js';

/** About 4 characters per token for English and code; 4 tokens of framing per message. */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimatePromptTokens(messages: readonly ChatMessage[], toolsJson = ''): number {
  let tokens = estimateTextTokens(toolsJson);
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE + estimateTextTokens(message.content ?? '');
    for (const call of message.toolCalls ?? []) tokens += estimateTextTokens(call.name) + estimateTextTokens(call.arguments);
  }
  return tokens;
}

export const PricingSchema = z.object({
  /** USD per million prompt tokens. */
  inputPerMillionTokens: z.number().nonnegative(),
  /** USD per million completion tokens. */
  outputPerMillionTokens: z.number().nonnegative(),
});

/** `prices.yaml`: model name -> prices. */
export const PriceTableSchema = z.record(z.string(), PricingSchema);

export type Pricing = z.infer<typeof PricingSchema>;
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Read a price table; a bad file is one ConfigError naming the field. */
export function loadPriceTable(file: string): PriceTable {
  return loadYamlFile(file, PriceTableSchema);
}

export function costUsd(pricing: Pricing | undefined, promptTokens: number, completionTokens: number): number {
  if (!pricing) return 0;
  return (promptTokens * pricing.inputPerMillionTokens + completionTokens * pricing.outputPerMillionTokens) / 1e6;
}
