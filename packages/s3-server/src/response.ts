import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorDocument, errorHasBody, type S3Error } from './s3-error';

/** Responses to OBS-signed requests, whose `x-amz-*` headers are sent as `x-obs-*`. */
const obsResponses = new WeakSet<ServerResponse>();

/** OBS clients read `x-obs-request-id`, `x-obs-meta-*` …: this response speaks their dialect. */
export function answerInObsDialect(res: ServerResponse): void {
  obsResponses.add(res);
}

/** The one place a status line and headers go out. */
function writeHead(res: ServerResponse, status: number, headers: OutgoingHttpHeaders): ServerResponse {
  if (!obsResponses.has(res)) return res.writeHead(status, headers);
  for (const name of res.getHeaderNames()) {
    if (!name.startsWith('x-amz-')) continue;
    res.setHeader('x-obs-' + name.slice(6), res.getHeader(name) as string);
    res.removeHeader(name);
  }
  const renamed: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) renamed[name.replace(/^x-amz-/i, 'x-obs-')] = value;
  return res.writeHead(status, renamed);
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(xml, 'utf8');
  writeHead(res, status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': body.length });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  writeHead(res, status, { 'Content-Length': 0, ...headers });
  res.end();
}

/** Streams a body; a client that goes away mid-way just ends the transfer. */
export async function sendStream(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Readable): Promise<void> {
  writeHead(res, status, headers);
  try {
    await pipeline(body, res);
  } catch {
    body.destroy();
    res.destroy();
  }
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: S3Error, resource: string, requestId: string): void {
  if (res.headersSent) {
    // Too late for a status: cutting the connection is the only way to signal the failure.
    res.destroy();
    return;
  }
  const headers = { ...err.headers, 'x-amz-request-id': requestId };
  if (errorHasBody(err, req.method)) sendXml(res, err.status, errorDocument(err, resource, requestId), headers);
  else if (err.status === 304) writeHead(res, 304, headers).end(); // a 304 carries no Content-Length
  else sendEmpty(res, err.status, headers);
}
