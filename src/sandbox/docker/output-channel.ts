/** The agent's output channel in Docker: a FIFO that a root exec relays, fenced by the root control shell. */

import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { OutputChannel } from '../agent-shell.js';
import { demuxDockerStream } from './demux.js';

/**
 * The output channel: a FIFO (root-owned, mode 0622: the agent may write, not read) that a root exec of `cat` keeps
 * open and relays; `fence` appends through `writeAsRoot`, which the agent cannot observe.
 */
export async function dockerOutputChannel(
  container: Docker.Container,
  path: string,
  writeAsRoot: (text: string) => Promise<void>,
): Promise<OutputChannel & { close(): void }> {
  const exec = await container.exec({
    Cmd: ['/bin/sh', '-c', 'exec cat <>"$0"', path],
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: 'root',
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  const listeners: Array<(chunk: Buffer) => void> = [];
  demuxDockerStream(stream, (_type, payload) => {
    for (const listener of listeners) listener(payload);
  });
  stream.on('error', () => {});
  return {
    path,
    onData: (listener) => listeners.push(listener),
    fence: writeAsRoot,
    close: () => stream.destroy(),
  };
}
