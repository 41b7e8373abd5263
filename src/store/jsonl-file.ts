/**
 * JSON Lines on disk: the one appender (each line fsynced; after a torn last line, the next starts on a fresh line)
 * and the one line reader (streaming, memory flat, a torn last line flagged). Episode shards and the journal use both.
 */

import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync a file or a directory (a directory, so a new file's name survives a crash). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends lines to one file in call order, each fsynced before its promise resolves. */
export class JsonlAppender {
  private handle: FileHandle | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /**
   * Append one line (a newline is added); a failed write rejects its own promise, not the next one's, and the
   * next append reopens the file (repairing what the failed write may have left torn).
   */
  append(line: string): Promise<void> {
    const write = this.writes.then(async () => {
      const handle = this.handle ?? (this.handle = await this.openRepaired());
      try {
        await handle.appendFile(`${line}\n`);
        await handle.datasync();
      } catch (error) {
        this.handle = undefined;
        await handle.close().catch(() => undefined);
        throw error;
      }
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Wait for the pending writes and close the file (a later append opens it again). */
  async close(): Promise<void> {
    await this.writes;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Open for appending; after a crash mid-line, write a newline so the torn line does not swallow the next one. */
  private async openRepaired(): Promise<FileHandle> {
    const existing = await stat(this.file).catch(() => undefined);
    const handle = await open(this.file, 'a+');
    try {
      if (existing && existing.size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, existing.size - 1);
        if (last[0] !== 0x0a) await handle.appendFile('\n');
      }
      if (!existing) await fsyncPath(dirname(this.file));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }
}

/** Append one line to a file and close it again (for writers that append rarely). */
export async function appendLine(file: string, line: string): Promise<void> {
  const appender = new JsonlAppender(file);
  try {
    await appender.append(line);
  } finally {
    await appender.close();
  }
}

export interface FileLine {
  /** 1-based line number. */
  readonly number: number;
  readonly text: string;
  /** The last line, not ended by a newline: the writer stopped mid-line. */
  readonly torn: boolean;
}

/** The lines of a file, one at a time (newline stripped; blank lines skipped but counted in the numbering). */
export async function* readLines(file: string): AsyncGenerator<FileLine> {
  let rest: Buffer | undefined;
  let number = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
      number++;
      const text = data.toString('utf8', start, end);
      if (text.trim()) yield { number, text, torn: false };
      start = end + 1;
    }
    rest = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
  }
  if (rest) {
    const text = rest.toString('utf8');
    if (text.trim()) yield { number: number + 1, text, torn: true };
  }
}
