/**
 * Fault injection for tests and demos: per request, with seeded probabilities, the policy server fails the
 * way real endpoints do (500, 429 with Retry-After, slow or hanging responses) or answers badly (empty,
 * truncated, garbled, two code blocks).
 */

import { InvalidArgumentError } from '../../errors.js';
import type { PolicyReply } from './policy.js';

export const FAULT_KINDS = ['error', 'rate_limit', 'slow', 'hang', 'empty', 'truncated', 'garbled', 'two_blocks'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Probability of each fault per request; they add up to the total fault rate. */
  readonly rates: Readonly<Partial<Record<FaultKind, number>>>;
  /** What a 429 asks the client to wait (Retry-After). @unit s @default 1 */
  readonly retryAfterSeconds?: number;
  /** Delay of a slow response. @unit ms @default 300 */
  readonly slowMs?: number;
  /** @default 0 */
  readonly seed?: number;
}

/** The same probability for every kind, adding up to `total`. */
export function spreadFaults(total: number): Partial<Record<FaultKind, number>> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, total / FAULT_KINDS.length]));
}

/** `error=0.1,hang=0.05` (or a single number: that total rate spread over every kind). */
export function parseFaultRates(text: string): Partial<Record<FaultKind, number>> {
  if (/^\s*[0-9.]+\s*$/.test(text)) {
    const total = Number(text);
    if (!(total >= 0 && total <= 1)) throw new InvalidArgumentError(`--faults: expected a rate from 0 to 1, got ${text}`);
    return spreadFaults(total);
  }
  const rates: Partial<Record<FaultKind, number>> = {};
  for (const part of text.split(',')) {
    const [kind, value] = part.split('=').map((piece) => piece.trim());
    if (!FAULT_KINDS.includes(kind as FaultKind))
      throw new InvalidArgumentError(`--faults: unknown fault "${kind}"; expected one of ${FAULT_KINDS.join(', ')}`);
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) throw new InvalidArgumentError(`--faults: ${kind}: expected a rate from 0 to 1, got ${value}`);
    rates[kind as FaultKind] = rate;
  }
  const total = Object.values(rates).reduce((sum, rate) => sum + rate, 0);
  if (total > 1) throw new InvalidArgumentError(`--faults: the rates add up to ${total}, more than 1`);
  return rates;
}

export class FaultInjector {
  private state: number;

  constructor(readonly options: FaultOptions) {
    this.state = (options.seed ?? 0) >>> 0;
  }

  /** xorshift32: hand-written so a seed gives the same fault sequence everywhere. */
  private random(): number {
    let x = this.state || 0x9e3779b9;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }

  /** The fault for the next request, if any. */
  pick(): FaultKind | undefined {
    let draw = this.random();
    for (const kind of FAULT_KINDS) {
      draw -= this.options.rates[kind] ?? 0;
      if (draw < 0) return kind;
    }
    return undefined;
  }

  /** Spoil a good reply the way `kind` says (content faults only). */
  spoil(kind: FaultKind, reply: PolicyReply): PolicyReply {
    const text = reply.content;
    switch (kind) {
      case 'empty':
        return { content: '' };
      case 'truncated':
        return { content: text.slice(0, Math.floor(text.length * 0.4)) };
      case 'garbled':
        return { content: Array.from({ length: 40 }, () => String.fromCharCode(33 + Math.floor(this.random() * 90)).replace('`', '~')).join('') };
      case 'two_blocks':
        return reply.toolCalls?.length
          ? { content: text, toolCalls: [...reply.toolCalls, { ...reply.toolCalls[0]!, id: `${reply.toolCalls[0]!.id}_again` }] }
          : { content: `${text}\n\nOr maybe first:\n\`\`\`\nls -la\n\`\`\`` };
      default:
        return reply;
    }
  }
}
