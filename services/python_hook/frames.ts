/**
 * The framing between an instance and its Python workers, on the worker's fd 3 (a
 * socket pair, so the hook's own prints on stdout cannot corrupt it): a big-endian u32
 * of the bytes that follow, a u32 of the JSON header's length, the header, then raw
 * bytes (uploaded files going in, the JSON result coming back). worker/ma_hook_worker.py
 * speaks the other side with the standard library.
 */
export interface Frame<H = Record<string, unknown>> {
  header: H;
  blob: Buffer;
}

const PREFIX_BYTES = 8;

export function encodeFrame(header: unknown, blobs: Buffer[] = []): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const blobBytes = blobs.reduce((n, b) => n + b.length, 0);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(head.length + blobBytes, 0);
  prefix.writeUInt32BE(head.length, 4);
  return Buffer.concat([prefix, head, ...blobs]);
}

/** Collects chunks and yields whole frames as they complete. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < PREFIX_BYTES) return frames;
      const data = this.flatten();
      const total = data.readUInt32BE(0);
      const headLength = data.readUInt32BE(4);
      if (total > this.maxFrameBytes || headLength > total) throw new Error(`a frame of ${total} bytes (header ${headLength}) is beyond what the protocol allows`);
      if (this.buffered < PREFIX_BYTES + total) return frames;
      const header = JSON.parse(data.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headLength));
      const blob = data.subarray(PREFIX_BYTES + headLength, PREFIX_BYTES + total);
      frames.push({ header, blob });
      this.chunks = [data.subarray(PREFIX_BYTES + total)];
      this.buffered -= PREFIX_BYTES + total;
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }
}
