/** What a harness without labgym's persistent shell or warm sandboxes does on Docker, for `labgym bench step`. */

import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { BareOperations, Sandbox } from '../sandbox.js';
import { LABELS } from './labels.js';

export function bareDockerOperations(docker: Docker, sandbox: Sandbox): BareOperations {
  const container = docker.getContainer(sandbox.id);
  return {
    async freshExec() {
      const exec = await container.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
      const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
      stream.resume();
      await new Promise((resolve) => stream.on('end', resolve).on('close', resolve));
      await exec.inspect();
    },
    async bareStart() {
      const bare = await docker.createContainer({
        Image: sandbox.image,
        Cmd: ['sleep', 'infinity'],
        HostConfig: { NetworkMode: 'none' },
        Labels: { [LABELS.sandbox]: '1', [LABELS.ownerPid]: String(process.pid), [LABELS.ownerHost]: hostname() },
      });
      const remove = async () => void (await bare.remove({ force: true }));
      await bare.start().catch(async (error: unknown) => {
        await remove();
        throw error;
      });
      return remove;
    },
  };
}
