import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError } from '../errors';

/** A body past its limit: the platform's 413 (ModelArts.0103) or a prediction's (MR.0102). */
export type TooLargeKind = 'payload_too_large' | 'predict_too_large';

export function bodyTooLarge(maxBytes: number, kind: TooLargeKind = 'payload_too_large'): ApiError {
  return new ApiError(kind, `the request body is larger than ${maxBytes} bytes`);
}

/**
 * The one reader of whole request bodies: refused at once when Content-Length says more
 * than `maxBytes`, and as soon as what arrives grows past it, instead of buffering the rest.
 */
export function readBody(req: IncomingMessage, maxBytes: number, kind: TooLargeKind = 'payload_too_large'): Promise<Buffer> {
  if (Number(req.headers['content-length']) > maxBytes) return Promise.reject(bodyTooLarge(maxBytes, kind));
  return readLimited(req, maxBytes, () => bodyTooLarge(maxBytes, kind));
}

/** Reads a whole stream, refusing it as soon as it grows past `maxBytes` (with the error `tooLarge` makes). */
export function readLimited(req: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    // A small upload arrives in one chunk: no copy then.
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Reads and drops what is left of a request body, up to `maxBytes`, so that a client
 * still sending can read the error it is about to get instead of failing to write.
 */
function drainBody(req: Readable, maxBytes: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      req.off('data', onData);
      resolve();
    };
    const onData = (c: Buffer) => {
      seen += c.length;
      if (seen > maxBytes) done();
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

/**
 * Before answering a request early (an error): a client still sending would miss the
 * answer, its writes failing, so up to another limit's worth of body is read and
 * dropped first; a body declared larger still is not read. True when the connection
 * must close after the answer because the body was not read to its end.
 */
export async function finishReading(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (req.complete) return false;
  const cap = 2 * maxBytes;
  if (!(Number(req.headers['content-length']) > cap)) await drainBody(req, cap);
  return !req.complete;
}
