import { Transform, type TransformCallback } from 'node:stream';
import { MAX_CHUNK_LINE_BYTES } from './limits';
import { S3Error } from './s3-error';

/**
 * Decodes an `aws-chunked` request body back into the object's bytes.
 *
 * The framing is `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`, repeated, ended by a
 * zero-size chunk, optional trailer lines (`x-amz-checksum-crc32:<b64>`,
 * `x-amz-trailer-signature:<sig>`) and an empty line. This one decoder covers
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) and STREAMING-UNSIGNED-PAYLOAD-TRAILER;
 * chunk signatures are skipped, not verified.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailer headers by lower-case name, filled once the body has been read to its end. */
  readonly trailers = new Map<string, string>();
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private lineParts: Buffer[] = [];
  private lineBytes = 0;
  private remaining = 0;
  private dataEndSeen = 0;
  private decodedBytes = 0;

  constructor(private readonly expectedLength: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // A stream cut right after the last chunk or trailer, without its closing empty line,
    // has still delivered every byte; accept it.
    const complete = this.state === 'done' || (this.state === 'trailer' && this.lineBytes === 0);
    if (!complete) {
      callback(new S3Error('IncompleteBody', 'The aws-chunked body ended before its final chunk.'));
    } else if (this.expectedLength !== undefined && this.decodedBytes !== this.expectedLength) {
      callback(
        new S3Error(
          'IncompleteBody',
          `The decoded body has ${this.decodedBytes} bytes; x-amz-decoded-content-length said ${this.expectedLength}.`,
        ),
      );
    } else {
      callback();
    }
  }

  private consume(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - pos);
        this.push(buf.subarray(pos, pos + n));
        pos += n;
        this.remaining -= n;
        this.decodedBytes += n;
        if (this.remaining === 0) this.state = 'data-end';
      } else if (this.state === 'data-end') {
        if (buf[pos] !== (this.dataEndSeen === 0 ? 0x0d : 0x0a)) throw malformed('a chunk is not followed by CRLF');
        pos += 1;
        this.dataEndSeen += 1;
        if (this.dataEndSeen === 2) {
          this.dataEndSeen = 0;
          this.state = 'size';
        }
      } else if (this.state === 'done') {
        // Tolerate stray line breaks after the final empty line, nothing else.
        if (buf[pos] !== 0x0d && buf[pos] !== 0x0a) throw malformed('data after the final chunk');
        pos += 1;
      } else {
        pos = this.readLine(buf, pos);
      }
    }
  }

  /** Accumulates a size or trailer line, which may be split across buffers. */
  private readLine(buf: Buffer, pos: number): number {
    const newline = buf.indexOf(0x0a, pos);
    const end = newline < 0 ? buf.length : newline;
    this.lineBytes += end - pos;
    if (this.lineBytes > MAX_CHUNK_LINE_BYTES) throw malformed('a chunk header line is too long');
    this.lineParts.push(buf.subarray(pos, end));
    if (newline < 0) return buf.length;
    const raw = Buffer.concat(this.lineParts).toString('latin1');
    this.lineParts = [];
    this.lineBytes = 0;
    if (!raw.endsWith('\r')) throw malformed('a chunk header line does not end with CRLF');
    const line = raw.slice(0, -1);
    if (this.state === 'size') this.sizeLine(line);
    else this.trailerLine(line);
    return newline + 1;
  }

  private sizeLine(line: string): void {
    const sizeHex = line.split(';', 1)[0].trim();
    // 13 hex digits stay within Number's exact integers, far beyond any object size.
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeHex)) throw malformed('a chunk size is not hexadecimal');
    this.remaining = parseInt(sizeHex, 16);
    this.state = this.remaining === 0 ? 'trailer' : 'data';
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a trailer line has no name');
    this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
}

function malformed(why: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked body: ${why}.`);
}
