/**
 * The reward rule, in one place: the env applies it live and the exports recompute it from stored records.
 * A validate step earns the rise of the best normalised improvement so far (0 = the baseline); the final step
 * earns the normalised improvement of the held-out score. Pure: no sandbox, no I/O.
 */

export class RewardTracker {
  private best = 0;

  /** The reward of a validate step whose (validation-split) normalised improvement is `improvement`. */
  validation(improvement: number | undefined): number {
    if (improvement === undefined || !(improvement > this.best)) return 0;
    const reward = improvement - this.best;
    this.best = improvement;
    return reward;
  }

  /** The reward of the final (submit or autosubmission) step: its held-out normalised improvement. */
  final(improvement: number | undefined): number {
    return improvement ?? 0;
  }
}
