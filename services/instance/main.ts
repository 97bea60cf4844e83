/** Child-process entry of one service instance: load the model and its hook, then serve. */
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { exitWithParent, sendFatal, sendReady } from '../../kernel/process/child-side';
import { listenOnFreePort } from '../../kernel/net/port-range';
import { loadHook } from '../model_service/load-hook';
import { initRuntime, backend } from '../model_service/runtime';
import { TfServingBaseService } from '../model_service/tfserving-service';
import type { BaseService } from '../model_service/base-service';
import { createInstanceServer, InstanceServer, Predictor, type InstanceExtras } from './server';
import { loadServables, ServableSet } from '../tf_serving/servables';
import { createGrpcEndpoint, GrpcEndpoint } from '../tf_serving/grpc-server';
import type { InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from './protocol';
import { isPythonHook, startPythonHook } from '../python_hook/start';
import { InstanceMetrics } from '../metrics/instance-metrics';
import { acceptGatewayConnection } from './gateway-connections';
import { onServicePort } from './connection-origin';
import { InstanceGuard, type TokenVerdict } from '../access/instance-guard';
import { PendingAnswers } from '../../kernel/process/pending-answers';
import { applyBatching } from '../batching/apply-batching';
import type { BatchReport } from '../batching/batch-queue';

const STATS_INTERVAL_MS = 1000;
const DRAIN_POLL_MS = 50;
const METRICS_TIMEOUT_MS = 5000;

function send(message: InstanceMessage): void {
  if (process.connected) process.send?.(message);
}

async function loadPredictor(opts: InstanceOptions): Promise<{ service: BaseService; hook: string }> {
  await initRuntime();
  if (opts.hookFile) {
    const { HookClass, file } = await loadHook(opts.modelDir);
    const service = new HookClass(opts.modelName, opts.modelDir);
    await service.load();
    return { service, hook: file.slice(opts.modelDir.length + 1) };
  }
  // No inference code: JSON goes to the model's inputs by name, as TF Serving does.
  const service = new TfServingBaseService(opts.modelName, opts.modelDir);
  await service.load();
  return { service, hook: '(none: TfServingBaseService)' };
}

/** What TF Serving's API serves: the package's model(s), shared with the hook where it loaded the same file. */
async function loadTfServing(opts: InstanceOptions, service: BaseService): Promise<ServableSet> {
  const tf = await initRuntime();
  const byHook = service instanceof TfServingBaseService ? { file: service.modelFile, model: service.model } : undefined;
  return loadServables(opts.serviceName, opts.modelDir, tf, byHook);
}

/**
 * What answers `POST /` and what TF Serving's and the V2 API serve: a JavaScript hook in
 * this process, or Python workers beside it; their models batched as the service says.
 */
async function loadServing(opts: InstanceOptions, metrics: InstanceMetrics): Promise<{ predictor: Predictor; servables: ServableSet; hook: string; notes: string[]; close?: () => Promise<void> }> {
  const onBatch = (report: BatchReport) => metrics.batch(report);
  if (isPythonHook(opts.hookFile)) {
    const python = await startPythonHook(opts, await initRuntime(), (level, message) => send({ type: 'event', level, message }));
    const batching = await applyBatching(opts.batching, { servables: python.servables }, onBatch);
    return { ...python, notes: [...python.notes, ...batching] };
  }
  const { service, hook } = await loadPredictor(opts);
  const servables = await loadTfServing(opts, service);
  const notes = await applyBatching(opts.batching, { service, servables }, onBatch);
  return { predictor: service, servables, hook, notes };
}

function listen(srv: InstanceServer, opts: InstanceOptions): Promise<number> {
  return listenOnFreePort(opts.portRange, opts.port, (port) =>
    new Promise<number>((resolve, reject) => {
      srv.server.once('error', reject);
      srv.server.listen(port, opts.host, () => {
        srv.server.off('error', reject);
        resolve((srv.server.address() as { port: number }).port);
      });
    }),
  );
}

/**
 * Serves what is in flight and lets every connection go: each next response says
 * `Connection: close`, and idle ones end at the keep-alive timeout their clients were
 * told about. Closing idle connections sooner would race clients that are sending.
 */
function drain(srv: InstanceServer, grpc: GrpcEndpoint, sockets: Set<Socket>, graceMs: number, close?: () => Promise<void>): void {
  srv.startDraining();
  grpc.drain(graceMs);
  // http.Server#close would also cut idle keep-alive connections; only stop listening.
  net.Server.prototype.close.call(srv.server);
  // This instance's copy of the service's socket closes; the others (and their queue) go on.
  shared?.close();
  shared = undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const waited = Date.now() - started;
    if ((sockets.size === 0 && srv.inFlight() === 0) || waited > graceMs) {
      clearInterval(timer);
      flushStats(srv);
      send({ type: 'drained' });
      void Promise.resolve(close?.()).finally(() => setTimeout(() => process.exit(0), 20));
    }
  }, DRAIN_POLL_MS);
}

function flushStats(srv: InstanceServer): void {
  const stats = srv.stats.take();
  if (stats) send({ type: 'stats', ...stats });
}

/** The service's listening socket, when the platform shares it with this instance. */
let shared: net.Server | undefined;

/** Accepts connections from the service's own socket, for the HTTP server, as if they came to its port. */
function acceptShared(srv: InstanceServer, handle: object): void {
  if (shared) return;
  shared = net.createServer({ noDelay: true }, (socket) => srv.server.emit('connection', onServicePort(socket)));
  shared.on('error', (err) => send({ type: 'event', level: 'error', message: `the service port failed in this instance: ${err.message}` }));
  shared.listen(handle);
}

/** Tokens sent to the platform to judge, awaiting its verdict. */
const tokenChecks = new PendingAnswers<TokenVerdict>(METRICS_TIMEOUT_MS, 'the platform did not judge the token in time');

/** The service's metrics as the platform sums them over its instances (a GET /metrics on the service's address). */
const serviceMetrics = new PendingAnswers<{ contentType: string; text: string }>(METRICS_TIMEOUT_MS, "the platform did not answer with the service's metrics");

/** What the instance serves beside predictions, and who may call it (tokens are judged by the platform). */
function instanceExtras(opts: InstanceOptions, metrics: InstanceMetrics): InstanceExtras {
  return {
    metrics,
    serviceMetrics: () => serviceMetrics.ask((id) => send({ type: 'service-metrics', id })),
    openapi: opts.openapi,
    version: opts.platformVersion,
    guard: new InstanceGuard(opts.access, (token) => tokenChecks.ask((id) => send({ type: 'check-token', id, token }))),
  };
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.env.MA_INSTANCE ?? '{}') as InstanceOptions;
  delete process.env.MA_INSTANCE;
  const started = performance.now();
  // Python workers end by themselves when this process goes: their protocol socket closes.
  exitWithParent();
  const metrics = new InstanceMetrics({ service: opts.serviceName, model: opts.modelName });
  const serving = await loadServing(opts, metrics);
  const { predictor, servables, hook, notes } = serving;
  const extras = instanceExtras(opts, metrics);
  const srv = createInstanceServer(opts, predictor, (level, message) => send({ type: 'event', level, message }), servables, extras);
  const sockets = new Set<Socket>();
  srv.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const grpc = createGrpcEndpoint(servables, {
    authorize: (headers) => extras.guard.check(headers, 'service'),
    track: (work) => srv.track(work),
    onDone: (code, ms) => metrics.request('tfserving_grpc', code, ms),
    onUnexpected: (err) => send({ type: 'event', level: 'error', message: `a gRPC call failed unexpectedly: ${(err as Error)?.stack ?? String(err)}` }),
  });
  const port = await listen(srv, opts);
  process.on('message', (m: ParentMessage, handle?: Socket) => {
    if (m?.type === 'connection' && handle) {
      srv.server.emit('connection', onServicePort(handle));
      handle.resume();
    } else if (m?.type === 'gateway-connection' && handle) {
      acceptGatewayConnection(srv.server, handle, m);
    } else if (m?.type === 'grpc-connection' && handle) {
      grpc.inject(handle);
      handle.resume();
    } else if (m?.type === 'drain') {
      drain(srv, grpc, sockets, m.graceMs, serving.close);
    } else if (m?.type === 'listen' && handle) {
      acceptShared(srv, handle);
    } else if (m?.type === 'spare') {
      const own = (shared as unknown as { _handle?: object } | undefined)?._handle;
      if (own) process.send?.({ type: 'spare', id: m.id } satisfies InstanceMessage, own as never);
      else send({ type: 'spare', id: m.id });
    } else if (m?.type === 'metrics') {
      void metrics.json().then((json) => send({ type: 'metrics', id: m.id, metrics: json }));
    } else if (m?.type === 'service-metrics') {
      serviceMetrics.answer(m.id, m);
    } else if (m?.type === 'token-checked') {
      tokenChecks.answer(m.id, m.verdict);
    }
  });
  setInterval(() => flushStats(srv), STATS_INTERVAL_MS).unref();
  sendReady<InstanceReady>({ port, load_ms: Math.round(performance.now() - started), backend: backend ?? 'unknown', hook, notes });
}

main().catch(sendFatal);
