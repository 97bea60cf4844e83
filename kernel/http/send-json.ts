import type { ServerResponse } from 'node:http';
import { errorResponse } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error as JSON outside Koa (gateway, instances); a half-sent response can only be cut. */
export function sendError(res: ServerResponse, err: unknown, render: (err: unknown) => { status: number; body: unknown } = errorResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = render(err);
  if (!res.req.complete) res.setHeader('Connection', 'close');
  sendJson(res, status, body);
}
