/**
 * Progress of a generation run: a live bar on a TTY (cli-progress: done / failed / running, tokens, cost,
 * trajectories per hour, ETA), plain log lines when piped. Only the rendering lives here; the numbers come
 * from the generate loop as snapshots.
 */

import cliProgress from 'cli-progress';

export interface ProgressSnapshot {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly tokens: number;
  readonly costUsd: number;
  /** Episodes finished per hour in this process. */
  readonly perHour: number;
  /** Seconds left at the current rate; undefined before the first episode ends. */
  readonly etaSeconds: number | undefined;
}

export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** One line about an episode (finished, failed, retried). */
  line(text: string): void;
  stop(): void;
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

function payload(snapshot: ProgressSnapshot) {
  return {
    done: snapshot.done,
    failed: snapshot.failed,
    running: snapshot.running,
    tokens: snapshot.tokens >= 10_000 ? `${(snapshot.tokens / 1000).toFixed(0)}k` : String(snapshot.tokens),
    cost: snapshot.costUsd.toFixed(snapshot.costUsd < 1 ? 4 : 2),
    rate: snapshot.perHour.toFixed(0),
    left: duration(snapshot.etaSeconds),
  };
}

/** The live bar on stderr (only when it is a TTY with a width: cli-progress redraws in place). */
export function ttyProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} | done {done} failed {failed} running {running} | {tokens} tokens ${cost} | {rate} traj/h | ETA {left}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(snapshot) {
      if (!started) {
        started = true;
        bar.start(snapshot.total, snapshot.done + snapshot.failed, payload(snapshot));
      } else {
        bar.setTotal(snapshot.total);
        bar.update(snapshot.done + snapshot.failed, payload(snapshot));
      }
    },
    line(text) {
      // Print above the bar: cli-progress has no log API, so clear its line, write, and redraw.
      if (started) {
        stream.clearLine?.(0);
        stream.cursorTo?.(0);
      }
      stream.write(`${text}\n`);
      if (started) bar.render();
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Plain lines (pipes, CI logs): one per episode, plus a status line at most every `everyMs`. */
export function plainProgress(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), everyMs = 30_000): ProgressReporter {
  let last = 0;
  return {
    update(snapshot) {
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      const p = payload(snapshot);
      write(
        `progress: ${snapshot.done + snapshot.failed}/${snapshot.total} (done ${p.done}, failed ${p.failed}, running ${p.running}), ${p.tokens} tokens, $${p.cost}, ${p.rate} traj/h, ETA ${p.left}`,
      );
    },
    line: write,
    stop() {},
  };
}

export const silentProgress: ProgressReporter = { update() {}, line() {}, stop() {} };

/** The bar on a TTY with a width, plain lines otherwise. */
export function autoProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY && (stream.columns ?? 0) > 0 ? ttyProgress(stream) : plainProgress((line) => stream.write(`${line}\n`));
}
