import http, { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../kernel/errors';
import { RETRYABLE_HEADER, sendError, type ErrorDialect } from '../../kernel/http/render-error';
import { finishReading, readBody } from '../../kernel/http/read-body';
import { tfServingName } from '../tf_serving/rest-api';
import { GATEWAY_PREFIX, INSTANCE_KEY_HEADER } from '../../kernel/http/api-names';
import { splitHostPort } from '../../kernel/http/host-port';

const MAX_ATTEMPTS = 2;
/**
 * Connection failures, an instance's answer that it could not answer (RETRYABLE_HEADER), and
 * an instance that was lost while it held the request (its node failed: ABORT_ERR).
 */
const RETRY_ASKED = 'EINSTANCERETRY';
const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ABORT_ERR', RETRY_ASKED]);

/** Resolves a service id to one of its ready instances (its own port's "host:port", the key to add there, and what says it is gone), or throws. */
export type Router = (serviceId: string) => { address: string; key: string; lost?: AbortSignal };

/** Throws when the caller may not use the service. */
export type Authorizer = (serviceId: string, req: IncomingMessage) => void;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

/** Which service a request is for, and the path to ask its instance. */
type Target = (req: IncomingMessage) => { id: string; path: string };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `/v1/infers/<service_id>/…` → one of the service's instances, in turn. The body is
 * read first (within the limit), so a request that meets an instance as it goes away
 * is sent once more to another, and redeploys lose nothing.
 */
export function createGateway(route: Router, maxBodyBytes: number, authorize?: Authorizer): Handler {
  return handler(inferTarget, route, maxBodyBytes, authorize);
}

function handler(target: Target, route: Router, maxBodyBytes: number, authorize?: Authorizer, dialect: ErrorDialect = 'platform'): Handler {
  return (req, res) => {
    void forward(req, res, target, route, maxBodyBytes, authorize).catch(async (err) => {
      await finishReading(req, maxBodyBytes);
      sendError(res, err, dialect);
    });
  };
}

/**
 * TF Serving's REST API for every service, as TF Serving's port 8501 offers it for every
 * model: `/v1/models/<service name>…` goes to one of that service's instances as it is.
 */
export function createTfServingGateway(idByName: (name: string) => string | undefined, route: Router, maxBodyBytes: number, authorize?: Authorizer): Handler {
  const target: Target = (req) => {
    const path = (req.url ?? '').split('?')[0];
    const name = tfServingName(path);
    const id = name === undefined ? undefined : idByName(name);
    if (id === undefined) {
      throw new ApiError('predict_not_found', name === undefined ? `Malformed request: ${req.method} ${path}` : `Servable not found for request: Latest(${name}); no service is named ${JSON.stringify(name)}`);
    }
    return { id, path };
  };
  return handler(target, route, maxBodyBytes, authorize, 'tf-serving');
}

function inferTarget(req: IncomingMessage): { id: string; path: string } {
  const rest = (req.url ?? '').slice(GATEWAY_PREFIX.length);
  const slash = rest.indexOf('/');
  const id = safeDecode(slash === -1 ? rest.split('?')[0] : rest.slice(0, slash));
  return { id, path: slash === -1 ? '/' : rest.slice(slash) || '/' };
}

async function forward(req: IncomingMessage, res: ServerResponse, target: Target, route: Router, maxBodyBytes: number, authorize?: Authorizer): Promise<void> {
  const { id, path } = target(req);
  authorize?.(id, req);
  const body = await readBody(req, maxBodyBytes, 'predict_too_large');
  for (let attempt = 1; ; attempt++) {
    const target = route(id);
    try {
      await proxyOnce(req, res, target, path, body, attempt < MAX_ATTEMPTS);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(code) || res.headersSent) {
        throw new ApiError('upstream_failed', `the service instance did not answer (${code || (err as Error).message}); try again`);
      }
    }
  }
}

function proxyOnce(req: IncomingMessage, res: ServerResponse, { address, key, lost }: ReturnType<Router>, path: string, body: Buffer, mayRetry: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const { host, port } = splitHostPort(address);
    // The instance's own port may ask for the key (beyond loopback); a caller's own value is replaced.
    const headers = { ...req.headers, host: address, 'content-length': String(body.length), [INSTANCE_KEY_HEADER]: key };
    delete headers['transfer-encoding'];
    delete headers.connection;
    const upstream = http.request({ host, port, method: req.method, path, headers, agent, signal: lost }, (answer) => {
      if (mayRetry && answer.headers[RETRYABLE_HEADER]) {
        answer.resume();
        reject(Object.assign(new Error('the instance could not answer and asked for a retry'), { code: RETRY_ASKED }));
        return;
      }
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

