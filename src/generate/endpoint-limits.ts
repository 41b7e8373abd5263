/**
 * In-flight model requests per endpoint: one p-limit per base URL, shared by every model served there, so a
 * shared vLLM server stays saturated but not flooded. Counts busy slot-time, for the utilisation the
 * benchmark reports (busy slot-ms / (slots × wall-ms)).
 */

import pLimit, { type LimitFunction } from 'p-limit';
import { type CompletionParams, type CompletionResult, ModelClient, type ModelClientOptions } from '../models/index.js';
import { BusyHistogram } from './busy-histogram.js';

export class EndpointLimiter {
  private readonly limit: LimitFunction;
  private busy = 0;
  private busyMs = 0;
  private requests = 0;
  private firstAt: number | undefined;
  private lastAt = 0;
  /** In-flight count over time (bounded), for utilisation over part of the run. */
  private readonly timeline = new BusyHistogram();

  constructor(
    readonly baseUrl: string,
    readonly slots: number,
  ) {
    this.limit = pLimit(slots);
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      const started = performance.now();
      this.firstAt ??= started;
      this.busy += 1;
      this.timeline.change(started, this.busy);
      try {
        return await call();
      } finally {
        this.busy -= 1;
        this.requests += 1;
        this.lastAt = performance.now();
        this.timeline.change(this.lastAt, this.busy);
        this.busyMs += this.lastAt - started;
      }
    });
  }

  get inFlight(): number {
    return this.busy;
  }

  get queued(): number {
    return this.limit.pendingCount;
  }

  /**
   * Busy slot-time over slots × the time from the first request to the last answer; `steadyUtilisation` is the
   * same over the middle half of that window (without the ramp-up of container starts and the final evaluations).
   */
  stats(): { readonly requests: number; readonly busyMs: number; readonly windowMs: number; readonly utilisation: number; readonly steadyUtilisation: number } {
    const windowMs = this.firstAt === undefined ? 0 : this.lastAt - this.firstAt;
    const from = (this.firstAt ?? 0) + windowMs / 4;
    return {
      requests: this.requests,
      busyMs: this.busyMs,
      windowMs,
      utilisation: windowMs > 0 ? this.busyMs / (this.slots * windowMs) : 0,
      steadyUtilisation: windowMs > 0 ? this.timeline.busyBetween(from, from + windowMs / 2) / (this.slots * (windowMs / 2)) : 0,
    };
  }
}

/** A ModelClient whose calls wait for a slot of their endpoint. */
export class LimitedModelClient extends ModelClient {
  constructor(
    options: ModelClientOptions,
    private readonly limiter: EndpointLimiter,
  ) {
    super(options);
  }

  override complete(params: CompletionParams): Promise<CompletionResult> {
    return this.limiter.run(() => super.complete(params));
  }

  override withOptions(options: Partial<ModelClientOptions>): ModelClient {
    return new LimitedModelClient({ ...this.options, ...options }, this.limiter);
  }
}

/** One limiter per base URL. */
export class EndpointLimits {
  private readonly limiters = new Map<string, EndpointLimiter>();

  constructor(private readonly slotsPerEndpoint: number) {}

  for(baseUrl: string): EndpointLimiter {
    let limiter = this.limiters.get(baseUrl);
    if (!limiter) this.limiters.set(baseUrl, (limiter = new EndpointLimiter(baseUrl, this.slotsPerEndpoint)));
    return limiter;
  }

  all(): EndpointLimiter[] {
    return [...this.limiters.values()];
  }
}
