import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../kernel/errors';
import { RETRYABLE_HEADER, errorResponse, tfServingErrorResponse } from '../../kernel/http/render-error';
import { applyCors } from '../../kernel/http/cors';
import { sendJson } from '../../kernel/http/send-json';
import { finishReading } from '../../kernel/http/read-body';
import { APP_CODE_HEADER } from '../../kernel/http/api-names';
import { secretMatches } from '../../kernel/util/secret';
import { compileResponseCheck } from './response-check';
import { checkFileFields, expectedFileFields, MultipartData, readJsonBody, readRequestData } from './request-body';
import { answerTfServing, isTfServingPath } from '../tf_serving/rest-api';
import type { ServableSet } from '../tf_serving/servables';
import { Stats } from './stats';
import { ownRequest, viaGateway } from './gateway-connections';
import { answerV2, isV2Path } from '../v2/v2-api';
import type { InstanceMetrics, StageLabel } from '../metrics/instance-metrics';
import type { InstanceOptions } from './protocol';

export interface Predictor {
  handle(data: unknown): Promise<{ result: unknown; timings: Record<string, number> }>;
}

/** What an instance serves beside predictions: its metrics, the service's metrics and OpenAPI document. */
export interface InstanceExtras {
  metrics: InstanceMetrics;
  /** The whole service's metrics (all its instances), in Prometheus' text format. */
  serviceMetrics(): Promise<{ contentType: string; text: string }>;
  /** The service's OpenAPI document, made from its model's config.json. */
  openapi?: unknown;
  version: string;
}

export interface InstanceServer {
  server: http.Server;
  stats: Stats;
  inFlight(): number;
  /** Counts work that arrived by another way (gRPC) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** From now on every response closes its connection, so clients move to other instances. */
  startDraining(): void;
}

const MAX_MISMATCH_EVENTS = 5;

/**
 * The HTTP side of one instance: `POST /` runs the model's hook, `/v1/models/…` is
 * TF Serving's REST API on the model itself, `GET /health` says it is up. Bad input
 * of any kind gets a JSON error; nothing a client sends can stop it.
 */
export function createInstanceServer(
  opts: InstanceOptions,
  predictor: Predictor,
  onEvent: (level: 'info' | 'warning' | 'error', message: string) => void,
  servables: ServableSet | undefined,
  extras: InstanceExtras,
): InstanceServer {
  const stats = new Stats();
  const { metrics } = extras;
  const checkResponse = compileResponseCheck(opts.api.responseSchema);
  const fileFields = expectedFileFields(opts.api.requestSchema);
  let inFlight = 0;
  let draining = false;

  function checkAppCode(req: IncomingMessage): void {
    if (opts.appCode !== undefined && !secretMatches(req.headers[APP_CODE_HEADER], opts.appCode)) {
      throw new ApiError('predict_unauthorized', 'this service needs its app code in the X-Apig-AppCode header');
    }
  }

  async function predict(req: IncomingMessage, res: ServerResponse): Promise<number> {
    checkAppCode(req);
    const data = await readRequestData(req, opts.maxBodyBytes);
    if (isMultipart(req)) checkFileFields(data as MultipartData, fileFields);
    const { result, timings } = await handleOnce(req, data);
    for (const [stage, ms] of Object.entries(timings)) metrics.stage(stage as StageLabel, ms);
    const mismatch = checkResponse?.(result);
    if (mismatch) {
      stats.mismatch();
      if (stats.mismatches <= MAX_MISMATCH_EVENTS) onEvent('warning', `a response did not match config.json apis[0].response: ${mismatch}`);
      res.setHeader('X-Response-Schema-Mismatch', mismatch.slice(0, 200));
    }
    res.setHeader('Server-Timing', Object.entries(timings).map(([k, v]) => `${k};dur=${v.toFixed(2)}`).join(', '));
    sendJson(res, 200, result);
    return 200;
  }

  /**
   * The gateway promises to send a request once more when what answered it went away
   * (a Python worker killed mid-request): on a connection it passed on, that is done here.
   */
  async function handleOnce(req: IncomingMessage, data: unknown): Promise<{ result: unknown; timings: Record<string, number> }> {
    try {
      return await withTimeout(predictor.handle(data), opts.timeoutMs);
    } catch (err) {
      if (!viaGateway(req) || !errorResponse(err).retryable) throw err;
      return withTimeout(predictor.handle(data), opts.timeoutMs);
    }
  }

  /** TF Serving's REST API or the Open Inference Protocol, on the model itself. */
  async function modelApi(req: IncomingMessage, res: ServerResponse, path: string, api: 'tfserving_rest' | 'v2'): Promise<number> {
    checkAppCode(req);
    if (!servables) throw new ApiError('predict_not_found', 'this service has no model that TF Serving\'s API can run');
    const request = { method: req.method ?? 'GET', path, body: () => readJsonBody(req, opts.maxBodyBytes) };
    const server = { name: opts.serviceName, version: extras.version, ready: () => !draining };
    const work = api === 'v2' ? answerV2(request, servables, server) : answerTfServing(request, servables);
    const answer = await withTimeout(work, opts.timeoutMs);
    sendJson(res, answer.status, answer.body);
    return answer.status;
  }

  /** GET /metrics (the service's, in Prometheus' text format) and GET /openapi.json. */
  async function describe(path: string, res: ServerResponse): Promise<boolean> {
    if (path === '/metrics') {
      const { contentType, text } = await extras.serviceMetrics();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    }
    if (path === '/openapi.json' && extras.openapi) {
      sendJson(res, 200, extras.openapi);
      return true;
    }
    return false;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownRequest(req, res)) return;
    const start = performance.now();
    if (draining) res.setHeader('Connection', 'close');
    if (applyCors(req, res, opts.allowOrigins)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && req.method === 'GET') {
      sendJson(res, 200, { status: draining ? 'draining' : 'ok', service_id: opts.serviceId, instance_id: opts.instanceId });
      return;
    }
    if (req.method === 'GET' && (path === '/metrics' || path === '/openapi.json')) {
      if (await describe(path, res).catch((err) => (onEvent('error', `${path} failed: ${(err as Error)?.message}`), false))) return;
    }
    inFlight++;
    let status = 500;
    const api = apiOf(path);
    try {
      if (api === 'tfserving_rest' || api === 'v2') {
        status = await modelApi(req, res, path, api);
        return;
      }
      if (path !== '/' && path !== '') throw new ApiError('predict_not_found', `no API at ${path}; predictions are POSTed to /, or to /v1/models/${opts.serviceName}:predict in TF Serving's format`);
      if (req.method !== 'POST') throw new ApiError('predict_not_found', `${req.method} is not answered here; POST the input to /`);
      status = await predict(req, res);
    } catch (err) {
      const response = api === 'predict' ? errorResponse(err) : tfServingErrorResponse(err);
      status = response.status;
      if (!response.expected) onEvent('error', `a request failed unexpectedly: ${(err as Error)?.stack ?? String(err)}`);
      if ('retryable' in response && response.retryable) res.setHeader(RETRYABLE_HEADER, '1');
      const cut = await finishReading(req, opts.maxBodyBytes);
      if (cut) res.setHeader('Connection', 'close');
      sendJson(res, status, response.body);
      if (cut) res.once('finish', () => req.socket.destroySoon?.());
    } finally {
      inFlight--;
      const ms = performance.now() - start;
      stats.record(ms, status >= 400);
      metrics.request(api, status, ms);
    }
  }

  const server = http.createServer(
    {
      requestTimeout: opts.requestTimeoutMs,
      headersTimeout: Math.min(opts.requestTimeoutMs, 60_000),
      // How often slow requests are looked for (Node's default, 30 s, would let them linger).
      connectionsCheckingInterval: Math.min(1000, opts.requestTimeoutMs),
    },
    (req, res) => {
      void onRequest(req, res);
    },
  );
  server.on('checkContinue', (req, res) => {
    // A client that announces an oversized body is refused before it sends it.
    if (Number(req.headers['content-length']) > opts.maxBodyBytes) {
      const refused = errorResponse(new ApiError('predict_too_large', `the request body is larger than ${opts.maxBodyBytes} bytes`));
      res.setHeader('Connection', 'close');
      sendJson(res, refused.status, refused.body);
      return;
    }
    res.writeContinue();
    void onRequest(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  return {
    server,
    stats,
    inFlight: () => inFlight,
    track: (work) => {
      inFlight++;
      return work.finally(() => inFlight--);
    },
    startDraining: () => {
      draining = true;
    },
  };
}

function apiOf(path: string): 'predict' | 'tfserving_rest' | 'v2' {
  return isTfServingPath(path) ? 'tfserving_rest' : isV2Path(path) ? 'v2' : 'predict';
}

function isMultipart(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** `work`, or a 504 after `ms`; one promise a request (this runs on every prediction). */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ApiError('predict_timeout', `the model did not answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Malformed requests, oversized headers and slow clients still get a JSON answer. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('predict_headers_too_large', 'the request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('predict_request_timeout', 'the request was not received in time')
        : new ApiError('predict_bad_input', `the request is not valid HTTP (${err.code ?? err.message})`);
  const { status, body: payload } = errorResponse(error);
  const body = JSON.stringify(payload);
  const reason = http.STATUS_CODES[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
