import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error as JSON outside Koa (gateway, instances); a half-sent response can only be cut. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = errorResponse(err);
  if (!res.req.complete) res.setHeader('Connection', 'close');
  sendJson(res, status, body);
}

/**
 * Reads and drops what is left of a request body, up to `maxBytes`, so that a client
 * still sending can read the error it is about to get instead of failing to write.
 */
export function drainBody(req: IncomingMessage, maxBytes: number): Promise<void> {
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
