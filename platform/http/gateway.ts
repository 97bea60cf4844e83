import http, { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../errors';
import { sendError } from './send-json';
import { finishReading, readLimited } from './read-body';

export const GATEWAY_PREFIX = '/v1/infers/';
const MAX_ATTEMPTS = 2;
const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Resolves a service id to one of its ready instances ("127.0.0.1:port"), or throws. */
export type Router = (serviceId: string) => string;

/** Throws when the caller may not use the service. */
export type Authorizer = (serviceId: string, req: IncomingMessage) => void;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

/**
 * `/v1/infers/<service_id>/…` → one of the service's instances, in turn. The body is
 * read first (within the limit), so a request that meets an instance as it goes away
 * is sent once more to another, and redeploys lose nothing.
 */
export function createGateway(route: Router, maxBodyBytes: number, authorize?: Authorizer): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void forward(req, res, route, maxBodyBytes, authorize).catch(async (err) => {
      await finishReading(req, maxBodyBytes);
      sendError(res, err);
    });
  };
}

async function forward(req: IncomingMessage, res: ServerResponse, route: Router, maxBodyBytes: number, authorize?: Authorizer): Promise<void> {
  const rest = (req.url ?? '').slice(GATEWAY_PREFIX.length);
  const slash = rest.indexOf('/');
  const id = safeDecode(slash === -1 ? rest.split('?')[0] : rest.slice(0, slash));
  const path = slash === -1 ? '/' : rest.slice(slash) || '/';
  authorize?.(id, req);
  const body = await readBody(req, maxBodyBytes);
  for (let attempt = 1; ; attempt++) {
    const address = route(id);
    try {
      await proxyOnce(req, res, address, path, body);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(code) || res.headersSent) {
        throw new ApiError('upstream_failed', `the service instance did not answer (${code || (err as Error).message}); try again`);
      }
    }
  }
}

function proxyOnce(req: IncomingMessage, res: ServerResponse, address: string, path: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const [host, port] = address.split(':');
    const headers = { ...req.headers, host: address, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    delete headers.connection;
    const upstream = http.request({ host, port: Number(port), method: req.method, path, headers, agent }, (answer) => {
      const out = { ...answer.headers };
      delete out.connection;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.once('end', resolve);
      answer.once('error', reject);
    });
    upstream.once('error', reject);
    upstream.end(body);
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('predict_not_found', `${JSON.stringify(segment)} is not a service id`);
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(req.headers['content-length']) > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return readLimited(req, maxBytes, () => tooLarge(maxBytes));
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('predict_too_large', `the request body is larger than ${maxBytes} bytes`);
}
