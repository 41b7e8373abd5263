/**
 * Busy slot-time over time in a bounded number of buckets: when a run outgrows them, the bucket width doubles
 * and neighbours merge, so memory stays constant however long the run. Within a bucket, time is taken as even.
 */

const MAX_BUCKETS = 1024;

export class BusyHistogram {
  private widthMs = 100;
  private origin: number | undefined;
  private readonly buckets: number[] = [];
  private level = 0;
  private since = 0;

  /** Buckets held now (at most MAX_BUCKETS). */
  get bucketCount(): number {
    return this.buckets.length;
  }

  /** The number of busy slots changed to `level` at `time`. */
  change(time: number, level: number): void {
    if (this.origin === undefined) this.origin = time;
    else this.add(this.since, time, this.level);
    this.since = time;
    this.level = level;
  }

  /** Slot-ms busy between two times (up to the last change). */
  busyBetween(from: number, to: number): number {
    if (this.origin === undefined) return 0;
    let total = 0;
    this.buckets.forEach((busy, index) => {
      const start = this.origin! + index * this.widthMs;
      const overlap = Math.min(to, start + this.widthMs) - Math.max(from, start);
      if (overlap > 0) total += (busy * overlap) / this.widthMs;
    });
    return total;
  }

  private add(from: number, to: number, level: number): void {
    if (level === 0 || to <= from) return;
    while (to - this.origin! > this.widthMs * MAX_BUCKETS) this.coarsen();
    for (let index = Math.floor((from - this.origin!) / this.widthMs); index * this.widthMs + this.origin! < to; index++) {
      const start = this.origin! + index * this.widthMs;
      const overlap = Math.min(to, start + this.widthMs) - Math.max(from, start);
      if (overlap > 0) this.buckets[index] = (this.buckets[index] ?? 0) + level * overlap;
    }
  }

  private coarsen(): void {
    this.widthMs *= 2;
    for (let index = 0; index * 2 < this.buckets.length; index++) this.buckets[index] = (this.buckets[index * 2] ?? 0) + (this.buckets[index * 2 + 1] ?? 0);
    this.buckets.length = Math.ceil(this.buckets.length / 2);
  }
}
