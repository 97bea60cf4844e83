import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MultipartStore } from './fs-multipart';
import type { FsStore } from './fs-store';
import type { OpContext } from './operations/context';
import { authenticate, type Credentials } from './auth/authenticate';
import { awaitContinue } from './expect-continue';
import { adoptObsHeaders, parseS3Request, type S3Request } from './request';
import { answerInObsDialect, sendError } from './response';
import { isApiVersionProbe, refusedPreflight, route } from './router';
import { S3Error, toS3Error } from './s3-error';

export interface ServerDeps {
  store: FsStore;
  multipart: MultipartStore;
  credentials: Credentials;
  region: string;
  maxObjectBytes: number;
}

/** The HTTP front: every request is parsed, authenticated, routed, and errors rendered once. */
export function createS3HttpServer(deps: ServerDeps): Server {
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, req, res).catch(() => res.destroy());
  };
  const server = createServer(serve);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitContinue(req, res);
    serve(req, res);
  });
  // S3 ignores Expect values other than 100-continue; Node would answer them 417 unasked.
  server.on('checkExpectation', serve);
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
    if (request.dialect === 'obs') answerInObsDialect(res);
    if (request.method === 'OPTIONS') throw refusedPreflight(req);
    // OBS clients ask which protocol we speak before they sign anything.
    if (!isApiVersionProbe(request)) authenticate(req, request, deps.credentials);
    if (request.dialect === 'obs') adoptObsHeaders(req);
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
