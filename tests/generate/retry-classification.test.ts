/**
 * Which failed tries the generator retries: decided by typed facts (the record's exit reason, the error's class),
 * never by what an error message says.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrerequisiteError, SandboxUnavailableError } from '../../src/errors.js';
import { isInfrastructureFailure } from '../../src/generate/index.js';
import type { EpisodeRecord } from '../../src/store/index.js';
import { episode } from '../export/helpers.js';

const withExit = (exitReason: EpisodeRecord['exitReason'], error?: string) =>
  episode(0, (record) => {
    record.exitReason = exitReason;
    record.exitStatus = exitReason;
    if (error !== undefined) record.error = error;
  });

test('a record whose exit reason is sandbox_error is retried; other exit reasons are not, whatever their error text says', () => {
  assert.equal(isInfrastructureFailure({ record: withExit('sandbox_error') }), true);
  assert.equal(isInfrastructureFailure({ record: withExit('early_exit', 'SandboxUnavailableError: sandbox abc is not available') }), false);
  assert.equal(isInfrastructureFailure({ record: withExit('exit_error', 'PrerequisiteError: no Docker daemon answers at /var/run/docker.sock') }), false);
  assert.equal(isInfrastructureFailure({ record: withExit('submitted') }), false);
});

test('a thrown SandboxUnavailableError is retried; other errors are not, even with a daemon-like message', () => {
  assert.equal(isInfrastructureFailure({ thrown: new SandboxUnavailableError('container gone') }), true);
  assert.equal(isInfrastructureFailure({ thrown: new Error('connect ECONNREFUSED /var/run/docker.sock') }), false);
  assert.equal(isInfrastructureFailure({ thrown: new PrerequisiteError('image labgym/x:1 not found') }), false);
  assert.equal(isInfrastructureFailure({ thrown: new TypeError('a bug') }), false);
});
