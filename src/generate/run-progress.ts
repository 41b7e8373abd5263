/** Progress reporting of a generation run: the ledger's numbers every second, and one line per episode outcome. */

import type { EpisodeRecord } from '../store/index.js';
import { type Job, jobLabel } from './jobs.js';
import type { ProgressReporter } from './progress.js';
import type { RunLedger } from './run-ledger.js';

export class RunProgress {
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly reporter: ProgressReporter,
    private readonly ledger: RunLedger,
  ) {
    this.ticker = setInterval(() => this.refresh(), 1000);
    this.ticker.unref();
    this.refresh();
  }

  refresh(): void {
    this.reporter.update(this.ledger.snapshot());
  }

  finished(job: Job, record: EpisodeRecord, totalMs: number): void {
    const { done } = this.ledger.snapshot();
    const final = record.scores.final?.score;
    this.reporter.line(
      `done ${done}/${this.ledger.total}: ${jobLabel(job)}: ${record.exitStatus}, ${record.steps.length} steps, final score ${final ?? 'none'} (${(totalMs / 1000).toFixed(1)} s)`,
    );
    this.refresh();
  }

  failed(job: Job, error: string, aborted: boolean): void {
    this.reporter.line(`failed: ${jobLabel(job)}: ${error}${aborted ? ' (aborted)' : ''}`);
    this.refresh();
  }

  retrying(job: Job, error: string, nextTry: number, tries: number): void {
    this.reporter.line(`retry: ${jobLabel(job)}: ${error.split('\n')[0]} (try ${nextTry} of ${tries})`);
  }

  stop(): void {
    clearInterval(this.ticker);
    this.refresh();
    this.reporter.stop();
  }
}
