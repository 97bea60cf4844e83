import type { ServerResponse } from 'node:http';

/** A JSON answer from a raw `http` server (errors go through sendError, render-error.ts). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
