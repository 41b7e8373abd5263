/**
 * Cost budgets (per episode, per run). A call reserves its worst-case cost before it is sent and settles the
 * real cost after, so concurrent episodes sharing a run budget can never overspend it together.
 */

import { InvalidArgumentError } from '../errors.js';
import { CostLimitExceededError } from './errors.js';

export class CostBudget {
  private spent = 0;
  private reserved = 0;

  constructor(
    /** 'episode', 'run', ...: named in the error when the budget is exhausted. */
    readonly name: string,
    /** @unit USD */
    readonly limitUsd: number,
  ) {
    if (!(limitUsd > 0)) throw new InvalidArgumentError(`${name} cost budget: expected a positive amount in USD, got ${limitUsd}`);
  }

  get spentUsd(): number {
    return this.spent;
  }

  /** Hold `amountUsd` for a call about to start; false when it could exceed the limit. */
  tryReserve(amountUsd: number): boolean {
    if (this.spent + this.reserved + amountUsd > this.limitUsd) return false;
    this.reserved += amountUsd;
    return true;
  }

  /** Replace a reservation by what the call really cost (0 when it failed). */
  settle(reservedUsd: number, actualUsd: number): void {
    this.reserved = Math.max(0, this.reserved - reservedUsd);
    this.spent += actualUsd;
  }
}

/**
 * Reserve `amountUsd` in every budget, or in none: throws CostLimitExceededError naming the first one short.
 * Returns the settle function to call with the real cost once the call is over.
 */
export function reserveAll(budgets: readonly CostBudget[], amountUsd: number): (actualUsd: number) => void {
  const held: CostBudget[] = [];
  for (const budget of budgets) {
    if (!budget.tryReserve(amountUsd)) {
      for (const other of held) other.settle(amountUsd, 0);
      throw new CostLimitExceededError(budget.name, budget.limitUsd, budget.spentUsd, amountUsd);
    }
    held.push(budget);
  }
  return (actualUsd) => {
    for (const budget of held) budget.settle(amountUsd, actualUsd);
  };
}
