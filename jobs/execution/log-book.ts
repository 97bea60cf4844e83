import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { writeFileAtomic } from '@modelarts-local/durable';
import { ifExists } from '../../kernel/util/drop';

/**
 * The log of one running job version. A boot file may print gigabytes: the first
 * half of `maxBytes` (the head) and the last half (the tail) are kept, with a line
 * saying how much was cut between them. Followers see every byte live.
 */
export class LogBook extends EventEmitter {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private cutBytes = 0;
  private totalBytes = 0;
  /** No more bytes are taken (the version is over). */
  private ended = false;
  /** Followers have been told the log ended. */
  private finished = false;
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly durable: fs.WriteStream;

  constructor(readonly file: string, maxBytes: number) {
    super();
    this.setMaxListeners(0);
    this.headLimit = Math.floor(maxBytes / 2);
    this.tailLimit = maxBytes - this.headLimit;
    // The head also goes to disk as it comes, so a platform crash keeps the start of the log.
    this.durable = fs.createWriteStream(`${file}.partial`);
  }

  write(chunk: Buffer): void {
    if (this.ended) return;
    this.totalBytes += chunk.length;
    const roomInHead = Math.max(0, this.headLimit - this.headBytes);
    const toHead = chunk.subarray(0, roomInHead);
    if (toHead.length) {
      this.head.push(toHead);
      this.headBytes += toHead.length;
      this.durable.write(toHead);
    }
    const toTail = chunk.subarray(toHead.length);
    if (toTail.length) this.pushTail(toTail);
    this.emit('data', chunk);
  }

  /** A line from the platform itself (stage changes, exit reason), marked as such. */
  note(message: string): void {
    this.write(Buffer.from(`[modelarts-local] ${message}\n`));
  }

  private pushTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > this.tailLimit && this.tail.length) {
      const excess = this.tailBytes - this.tailLimit;
      const first = this.tail[0];
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.cutBytes += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.cutBytes += excess;
      }
    }
  }

  get size(): number {
    return this.totalBytes;
  }

  get truncatedBytes(): number {
    return this.cutBytes;
  }

  /** The kept log: head, a line naming what was cut, tail. */
  content(): Buffer {
    const parts = [...this.head];
    if (this.cutBytes > 0) {
      parts.push(Buffer.from(`\n[modelarts-local] ... ${this.cutBytes} bytes of log cut here (the log keeps its first and last ${this.tailLimit} bytes) ...\n`));
    }
    parts.push(...this.tail);
    return Buffer.concat(parts);
  }

  /** The last `n` lines, for failure reasons. */
  lastLines(n: number): string[] {
    const text = Buffer.concat(this.tail.length ? this.tail : this.head).toString('utf8');
    return text.split('\n').filter((l) => l.trim() !== '').slice(-n);
  }

  /** Current content, then every new byte until the log ends. */
  follow(): Readable {
    const out = new PassThrough();
    out.write(this.content());
    if (this.finished) {
      out.end();
      return out;
    }
    const onData = (chunk: Buffer) => out.write(chunk);
    const onEnd = () => {
      this.off('data', onData);
      out.end();
    };
    this.on('data', onData);
    this.once('end', onEnd);
    out.on('close', () => {
      this.off('data', onData);
      this.off('end', onEnd);
    });
    return out;
  }

  /**
   * Takes no more bytes and writes the kept log to `file` (atomically). Followers stay
   * attached until `end()`, so the run can record its final status before their stream ends.
   */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await new Promise<void>((resolve) => this.durable.end(resolve));
    await writeFileAtomic(this.file, this.content());
    await fsp.rm(`${this.file}.partial`, { force: true });
  }

  /** Ends every follower's stream; the log is complete by then. */
  end(): void {
    if (this.finished) return;
    this.ended = true;
    this.finished = true;
    this.emit('end');
  }
}

/** A finished version's log, or the head a crashed platform left behind. */
export async function readStoredLog(file: string): Promise<Buffer> {
  for (const candidate of [file, `${file}.partial`]) {
    const content = await ifExists(fsp.readFile(candidate));
    if (content) return content;
  }
  return Buffer.alloc(0);
}
