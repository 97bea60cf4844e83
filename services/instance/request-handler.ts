import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ApiError, methodNotAllowed } from '../../kernel/errors';
import { errorResponse, sendError } from '../../kernel/http/render-error';
import { applyCors } from '../../kernel/http/cors';
import { sendJson } from '../../kernel/http/send-json';
import { finishReading } from '../../kernel/http/read-body';
import type { InstanceGuard, Origin } from '../access/instance-guard';
import { originOf } from './connection-origin';
import { answerTfServing, isTfServingPath } from '../tf_serving/rest-api';
import type { ServableSet } from '../tf_serving/servables';
import { answerV2, isV2Path } from '../v2/v2-api';
import type { InstanceMetrics, StageLabel } from '../metrics/instance-metrics';
import { ownRequest, viaGateway } from './gateway-connections';
import type { InstanceOptions } from './protocol';
import { compileResponseCheck } from './response-check';
import { checkFileFields, expectedFileFields, MultipartData, readJsonBody, readRequestData } from './request-body';
import { Stats } from './stats';
import { readRuntimeRequest } from './runtime-request';
import { isPythonHook } from '../python_hook/hook-file';

const MAX_MISMATCH_EVENTS = 5;
/** What every instance answers beside predictions, to GET. */
const ASIDE = ['/health', '/metrics', '/openapi.json'];

type Api = 'predict' | 'tfserving_rest' | 'v2';
type Answer = { result: unknown; timings: Record<string, number> };
type ResponseCheck = (value: unknown) => string | undefined;

export interface Predictor {
  handle(data: unknown): Promise<Answer>;
}

/** What an instance serves beside predictions: its metrics, the service's metrics and OpenAPI document. */
export interface InstanceExtras {
  metrics: InstanceMetrics;
  /** The whole service's metrics (all its instances), in Prometheus' text format. */
  serviceMetrics(): Promise<{ contentType: string; text: string }>;
  /** The service's OpenAPI document, made from its model's config.json. */
  openapi?: unknown;
  version: string;
  /** Who may call (services/access/instance-guard.ts). */
  guard: InstanceGuard;
}
export type OnEvent = (level: 'info' | 'warning' | 'error', message: string) => void;

/**
 * What one instance answers over HTTP: `POST /` runs the model's hook, `/v1/models/…`
 * (TF Serving's REST API) and `/v2/…` (the Open Inference Protocol) run the model itself,
 * `GET /health`, `/metrics` and `/openapi.json` describe it. Bad input of any kind gets a
 * JSON error; nothing a client sends can stop it.
 */
export class RequestHandler {
  readonly stats = new Stats();
  inFlight = 0;
  draining = false;
  private readonly checkResponse: ResponseCheck | undefined;
  private readonly fileFields: string[];
  /** customize_service.py: requests are read, and errors answered, as ModelArts' Python runtime does. */
  private readonly pythonRuntime: boolean;

  constructor(
    private readonly opts: InstanceOptions,
    private readonly predictor: Predictor,
    private readonly onEvent: OnEvent,
    private readonly servables: ServableSet | undefined,
    private readonly extras: InstanceExtras,
  ) {
    this.checkResponse = compileResponseCheck(opts.api.responseSchema);
    this.fileFields = expectedFileFields(opts.api.requestSchema);
    this.pythonRuntime = isPythonHook(opts.hookFile);
  }

  async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownRequest(req, res)) return;
    const start = performance.now();
    if (this.draining) res.setHeader('Connection', 'close');
    if (applyCors(req, res, this.opts.allowOrigins)) return;
    const path = (req.url ?? '/').split('?')[0];
    const api = apiOf(path);
    if (req.method === 'GET' && path === '/health') return this.health(res);
    const origin = originOf(req);
    if (this.extras.guard.checks(origin) && !(await this.admitted(req, res, api, origin))) return;
    if (await this.answeredAside(req, res, path)) return;
    this.inFlight++;
    let status = 500;
    try {
      status = await this.route(req, res, path, api);
    } catch (err) {
      status = await this.fail(req, res, api, err);
    } finally {
      this.inFlight--;
      const ms = performance.now() - start;
      this.stats.record(ms, status >= 400);
      this.extras.metrics.request(api, status, ms);
    }
  }

  /** GET /health: anyone may ask whether the instance is up. */
  private health(res: ServerResponse): void {
    sendJson(res, 200, { status: this.draining ? 'draining' : 'ok', service_id: this.opts.serviceId, instance_id: this.opts.instanceId });
  }

  /** Whether the caller may be served here (instance-guard.ts); a refusal is answered. */
  private async admitted(req: IncomingMessage, res: ServerResponse, api: Api, origin: Origin): Promise<boolean> {
    try {
      await this.extras.guard.check(req.headers, origin);
      return true;
    } catch (err) {
      await this.fail(req, res, api, err);
      return false;
    }
  }

  /** GET /metrics and /openapi.json: answered without counting as requests. */
  private async answeredAside(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (req.method !== 'GET') return false;
    if (path !== '/metrics' && path !== '/openapi.json') return false;
    return this.describe(path, res).catch((err) => (this.onEvent('error', `${path} failed: ${(err as Error)?.message}`), false));
  }

  private route(req: IncomingMessage, res: ServerResponse, path: string, api: Api): Promise<number> {
    if (api === 'tfserving_rest' || api === 'v2') return this.modelApi(req, res, path, api);
    if (ASIDE.includes(path) && req.method !== 'GET') throw methodNotAllowed('predict_method_not_allowed', ['GET'], `${path} answers GET only`);
    if (path !== '/' && path !== '') throw new ApiError('predict_not_found', `no API at ${path}; predictions are POSTed to /, or to /v1/models/${this.opts.serviceName}:predict in TF Serving's format`);
    if (req.method !== 'POST') throw methodNotAllowed('predict_method_not_allowed', ['POST'], `${req.method} is not answered at /; POST the input to /`);
    return this.predict(req, res);
  }

  /** The error answered in the API's dialect (sendError); an unread body is drained first, or the connection closed after the answer. */
  private async fail(req: IncomingMessage, res: ServerResponse, api: Api, err: unknown): Promise<number> {
    const cut = await finishReading(req, this.opts.maxBodyBytes);
    const answered = sendError(res, err, api !== 'predict' ? 'tf-serving' : this.pythonRuntime ? 'modelarts-runtime' : 'platform');
    if (!answered?.expected) this.onEvent('error', `a request failed unexpectedly: ${(err as Error)?.stack ?? String(err)}`);
    if (cut) res.once('finish', () => req.socket.destroySoon?.());
    return answered?.status ?? 500;
  }

  private async predict(req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (this.pythonRuntime) return this.answer(req, res, await readRuntimeRequest(req, this.opts.maxBodyBytes));
    const data = await readRequestData(req, this.opts.maxBodyBytes);
    if (isMultipart(req)) checkFileFields(data as MultipartData, this.fileFields);
    return this.answer(req, res, data);
  }

  private async answer(req: IncomingMessage, res: ServerResponse, data: unknown): Promise<number> {
    const { result, timings } = await this.handleOnce(req, data);
    for (const [stage, ms] of Object.entries(timings)) this.extras.metrics.stage(stage as StageLabel, ms);
    const mismatch = this.checkResponse?.(result);
    if (mismatch) {
      this.stats.mismatch();
      if (this.stats.mismatches <= MAX_MISMATCH_EVENTS) this.onEvent('warning', `a response did not match config.json apis[0].response: ${mismatch}`);
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
  private async handleOnce(req: IncomingMessage, data: unknown): Promise<Answer> {
    try {
      return await withTimeout(this.predictor.handle(data), this.opts.timeoutMs);
    } catch (err) {
      if (!viaGateway(req) || !errorResponse(err).retryable) throw err;
      return withTimeout(this.predictor.handle(data), this.opts.timeoutMs);
    }
  }

  /** TF Serving's REST API or the Open Inference Protocol, on the model itself. */
  private async modelApi(req: IncomingMessage, res: ServerResponse, path: string, api: 'tfserving_rest' | 'v2'): Promise<number> {
    if (!this.servables) throw new ApiError('predict_not_found', 'this service has no model that TF Serving\'s API can run');
    const request = { method: req.method ?? 'GET', path, body: () => readJsonBody(req, this.opts.maxBodyBytes) };
    const server = { name: this.opts.serviceName, version: this.extras.version, ready: () => !this.draining };
    const work = api === 'v2' ? answerV2(request, this.servables, server) : answerTfServing(request, this.servables);
    const answer = await withTimeout(work, this.opts.timeoutMs);
    sendJson(res, answer.status, answer.body);
    return answer.status;
  }

  /** GET /metrics (the service's, in Prometheus' text format) and GET /openapi.json. */
  private async describe(path: string, res: ServerResponse): Promise<boolean> {
    if (path === '/metrics') {
      const { contentType, text } = await this.extras.serviceMetrics();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    }
    if (path === '/openapi.json' && this.extras.openapi) {
      sendJson(res, 200, this.extras.openapi);
      return true;
    }
    return false;
  }
}

function apiOf(path: string): Api {
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
