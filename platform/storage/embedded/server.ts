import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MultipartStore } from './fs-multipart';
import type { FsStore } from './fs-store';
import type { OpContext } from './operations/context';
import { parseS3Request, type S3Request } from './request';
import { sendError } from './response';
import { route } from './router';
import { S3Error, toS3Error } from './s3-error';
import { type Credentials, verifySignature } from './sigv4';

export interface ServerDeps {
  store: FsStore;
  multipart: MultipartStore;
  credentials: Credentials;
  region: string;
  maxObjectBytes: number;
}

/** The HTTP front: every request is parsed, authenticated, routed, and errors rendered once. */
export function createS3HttpServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch(() => res.destroy());
  });
  // Large uploads may legitimately take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('Server', 'ModelArtsLocal');
  res.on('error', () => undefined); // a client that hung up is not our error
  let request: S3Request | undefined;
  try {
    request = parseS3Request(req);
    verifySignature(req, request, deps.credentials);
    const handler = route(req, request);
    const context: OpContext = {
      req,
      res,
      request,
      store: deps.store,
      multipart: deps.multipart,
      region: deps.region,
      maxObjectBytes: deps.maxObjectBytes,
    };
    await handler(context);
  } catch (err) {
    const failure = toS3Error(err);
    if (!(err instanceof S3Error)) console.error(`[s3] ${req.method} ${req.url}: ${failure.code}`, err);
    sendError(req, res, failure, request?.resource ?? '/', requestId);
  }
}
