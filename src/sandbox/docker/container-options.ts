/** Docker's create options for a sandbox container: no network, resource limits, capabilities, owner labels, GPUs. */

import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { resolveLimits } from '../limits.js';
import type { SandboxCreateParams } from '../sandbox.js';
import { LABELS } from './labels.js';

/** What the control shell keeps: enough to run the harness when the agent has spent every capability. */
export const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETUID', 'SETGID'];

/**
 * The container a sandbox runs in, as Docker's create options: no network, limits, dropped capabilities, owner
 * labels and the GPUs by device id (exported so tests can inspect exactly what Docker receives).
 */
export function containerOptions(params: SandboxCreateParams, lifeline = true): Docker.ContainerCreateOptions {
  const limits = resolveLimits(params.limits);
  const env = Object.entries(params.env ?? {}).map(([key, value]) => `${key}=${value}`);
  const binds = Object.entries(params.readOnlyMounts ?? {}).map(([host, inside]) => `${host}:${inside}:ro`);
  return {
    Image: params.image,
    // With a lifeline, the main process waits on stdin, which closes when our attach does (StdinOnce).
    Cmd: lifeline ? ['/bin/sh', '-c', 'read -r _; exit 0'] : ['sleep', 'infinity'],
    OpenStdin: lifeline,
    StdinOnce: lifeline,
    AttachStdin: lifeline,
    User: 'root',
    Env: env,
    Labels: {
      ...params.labels,
      [LABELS.sandbox]: '1',
      [LABELS.ownerPid]: String(process.pid),
      [LABELS.ownerHost]: hostname(),
      [LABELS.createdAt]: new Date().toISOString(),
    },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      NanoCpus: Math.round(limits.cpus * 1e9),
      Memory: limits.memory,
      MemorySwap: limits.memory,
      PidsLimit: limits.pids,
      ShmSize: limits.shm,
      Init: true,
      AutoRemove: lifeline,
      CapDrop: ['ALL'],
      CapAdd: CAPABILITIES,
      SecurityOpt: ['no-new-privileges'],
      Binds: binds.length ? binds : undefined,
      DeviceRequests: params.gpus?.length ? [{ Driver: 'nvidia', DeviceIDs: [...params.gpus], Capabilities: [['gpu']] }] : undefined,
    },
  };
}
