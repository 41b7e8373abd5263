/**
 * Collects a command's output with a byte cap: the first and last halves are kept, the middle is counted
 * and replaced by one elision line. Memory stays bounded by the cap whatever the command prints.
 */

export class CappedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  /** @param limitBytes null keeps everything (MLGym-compatible mode). */
  constructor(private readonly limitBytes: number | null) {}

  get totalBytes(): number {
    return this.total;
  }

  get droppedBytes(): number {
    return this.limitBytes === null ? 0 : Math.max(0, this.total - this.limitBytes);
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    if (this.limitBytes === null) {
      this.head.push(chunk);
      return;
    }
    const headLimit = Math.ceil(this.limitBytes / 2);
    if (this.headBytes < headLimit) {
      const take = Math.min(headLimit - this.headBytes, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headBytes += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    const tailLimit = this.limitBytes - headLimit;
    // Copy: the caller's buffer may be a slice of a large socket buffer we must not pin.
    this.tail.push(Buffer.from(chunk));
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= tailLimit) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    if (this.droppedBytes === 0) return head + Buffer.concat(this.tail).toString('utf8');
    let tail = Buffer.concat(this.tail);
    const tailLimit = this.limitBytes! - Math.ceil(this.limitBytes! / 2);
    tail = tail.subarray(Math.max(0, tail.length - tailLimit));
    return `${head}\n[... ${this.droppedBytes} bytes of output omitted ...]\n${tail.toString('utf8')}`;
  }
}
