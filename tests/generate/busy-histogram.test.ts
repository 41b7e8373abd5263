import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusyHistogram } from '../../src/generate/busy-histogram.js';

test('busy slot-time between two times, worked by hand', () => {
  const histogram = new BusyHistogram();
  histogram.change(0, 2); // two slots busy from 0 ms
  histogram.change(50, 1); // one from 50 ms
  histogram.change(150, 0); // none from 150 ms
  assert.equal(histogram.busyBetween(0, 200), 2 * 50 + 1 * 100);
  assert.equal(histogram.busyBetween(0, 1000), 200);
  // 100..150 ms lies in the second bucket (50 slot-ms, taken as even over its 100 ms): 50 × 50/100.
  assert.equal(histogram.busyBetween(100, 150), 25);
  // 25..75 ms lies in the first 100 ms bucket (150 slot-ms, taken as even): 150 × 50/100.
  assert.equal(histogram.busyBetween(25, 75), 75);
});

test('a long run keeps a bounded number of buckets and loses no busy time', () => {
  const histogram = new BusyHistogram();
  let expected = 0;
  for (let i = 0; i < 200_000; i++) {
    // 3 slots busy for 7 ms, then idle for 5 ms: 2.4 million ms in all.
    histogram.change(i * 12, 3);
    histogram.change(i * 12 + 7, 0);
    expected += 3 * 7;
  }
  assert.ok(histogram.bucketCount <= 1024, `${histogram.bucketCount} buckets`);
  assert.ok(Math.abs(histogram.busyBetween(0, 200_000 * 12) - expected) < 1e-6 * expected);
  // The middle half holds half the busy time (the pattern is even over the run).
  const half = histogram.busyBetween(600_000, 1_800_000);
  assert.ok(Math.abs(half - expected / 2) < 0.01 * expected, `${half} vs ${expected / 2}`);
});
