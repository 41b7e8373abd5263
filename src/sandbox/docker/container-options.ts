/** Docker's create options for a sandbox: no network, a read-only root with capped tmpfs places, limits, capabilities, labels, GPUs. */

import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { memoryLimit, resolveLimits, type SandboxLimits, type WritableMount, writableMounts } from '../limits.js';
import type { SandboxCreateParams } from '../sandbox.js';
import { LABELS } from './labels.js';

/**
 * What root in the sandbox (the harness only; the agent drops every capability) keeps: enough to run the harness when
 * the agent has spent every resource, and SYS_NICE so the control shell outranks a fork bomb for the CPU.
 */
export const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETUID', 'SETGID', 'SYS_NICE'];

/**
 * Writable places Docker's archive API (copies in and out) must reach: it sees volumes but not tmpfs mounts, and
 * refuses paths outside volumes on a read-only root. So these are tmpfs-backed volumes, the others plain tmpfs.
 */
const COPIED_INTO = new Set(['/home/agent/workspace', '/run/labgym', '/opt/labgym/aci', '/build']);

function tmpfsOptions(mount: WritableMount): string {
  const id = mount.owner === 'agent' ? 1000 : 0;
  return `nosuid,nodev,size=${mount.bytes},nr_inodes=${mount.inodes},uid=${id},gid=${id},mode=${mount.mode}`;
}

function mountsOf(limits: SandboxLimits): Pick<Docker.HostConfig, 'Tmpfs' | 'Mounts'> {
  const mounts = writableMounts(limits);
  return {
    Tmpfs: Object.fromEntries(mounts.filter((mount) => !COPIED_INTO.has(mount.path)).map((mount) => [mount.path, `rw,exec,${tmpfsOptions(mount)}`])),
    Mounts: mounts
      .filter((mount) => COPIED_INTO.has(mount.path))
      .map((mount) => ({
        Type: 'volume' as const,
        Source: '',
        Target: mount.path,
        VolumeOptions: {
          NoCopy: true,
          Labels: { [LABELS.sandbox]: '1' },
          DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: tmpfsOptions(mount) } },
        },
      })),
  };
}

/**
 * The container a sandbox runs in, as Docker's create options: no network, limits, a read-only root with capped
 * tmpfs mounts where writing is allowed, dropped capabilities, owner labels and the GPUs by device id (exported so
 * tests can inspect exactly what Docker receives).
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
      Memory: memoryLimit(limits),
      MemorySwap: memoryLimit(limits),
      PidsLimit: limits.pids,
      ShmSize: limits.shm,
      ReadonlyRootfs: true,
      ...mountsOf(limits),
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
