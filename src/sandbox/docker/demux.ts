/**
 * Splits Docker's multiplexed exec stream (8-byte frame headers: stream type, then payload length) into payload
 * pieces as they arrive, never copying payload bytes.
 */

import type { Readable } from 'node:stream';

export const STDOUT = 1;
export const STDERR = 2;

/**
 * Written here rather than using docker-modem's demuxStream because that one concatenates its whole pending buffer
 * on every chunk: 50 MB of output cost ~40 MB of transient buffers.
 */
export function demuxDockerStream(stream: Readable, onPayload: (streamType: number, payload: Buffer) => void): void {
  let header: Buffer = Buffer.alloc(0);
  let streamType = 0;
  let remaining = 0;
  stream.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining === 0) {
        const piece = chunk.subarray(offset, offset + 8 - header.length);
        header = header.length ? Buffer.concat([header, piece]) : piece;
        offset += piece.length;
        if (header.length < 8) return;
        streamType = header[0]!;
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length - offset);
      onPayload(streamType, chunk.subarray(offset, offset + take));
      offset += take;
      remaining -= take;
    }
  });
}
