import fsp from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import type net from 'node:net';
import type Router from '@koa/router';
import type { PlatformConfig } from './config';
import type { ComputeInfo, PlatformContext } from './context';
import { compute } from './compute/tf';
import { createApp } from './http/app';
import { controlPlaneCors } from './http/cors-middleware';
import { healthRoutes } from './http/routes/health';
import { metricsRoutes } from './http/routes/metrics';
import { controlPlaneDocument, routesOf, type RouteEntry } from './http/openapi/control-plane-document';
import { openApiRoutes } from './http/routes/openapi';
import { log } from './log';
import { EmbeddedStore } from './storage/embedded-store';
import { ObjectStore } from './storage/object-store';
import { Schemas } from './validation/schemas';
import { repoPath } from './paths';
import { prepareRuntimeModules } from './compute/runtime-modules';
import { JobService } from '../jobs/job-service';
import { trainingJobRoutes } from './http/routes/training-jobs';
import { ModelService } from './models/model-service';
import { modelRoutes } from './http/routes/models';
import { ServiceManager } from '../services/manager/service-manager';
import { serviceRoutes } from './http/routes/services';
import { createGateway, createTfServingGateway, GATEWAY_PREFIX, TF_SERVING_PREFIX, Authorizer } from './http/gateway';
import { listenWithHandOff, type GatewayHandOff } from './http/gateway-handoff';
import { APP_CODE_HEADER, authenticate, secretMatches, TOKEN_HEADER } from './http/auth';
import { Credentials } from './auth/credentials';
import { IamTokens } from './auth/iam-tokens';
import { iamRoutes, isIamPublic } from './http/routes/iam';
import { trainingJobsV2Routes } from './http/routes/modelarts/training-jobs-v2';
import { modelsV1Routes } from './http/routes/modelarts/models-v1';
import { servicesV1Routes } from './http/routes/modelarts/services-v1';
import { ApiError } from './errors';
import { PlatformMetrics } from './metrics/platform-metrics';
import { bucketRoutes } from './http/routes/buckets';
import { consoleRoutes, isConsoleFile } from './http/routes/console';
import { ObjectBrowser } from './storage/object-browser';
import { prepareTutorialBucket, TUTORIAL } from '../samples/mnist/prepare';

/** A part of the platform (jobs, models, services) with its routes and lifecycle. */
export interface Area {
  routes(): Router[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface Platform {
  url: string;
  port: number;
  context: PlatformContext;
  /** The embedded object store, when no OBS_ENDPOINT is set. */
  embedded?: EmbeddedStore;
  /** Every method and path the control plane's routers answer (the gateways aside). */
  routes: RouteEntry[];
  close(): Promise<void>;
}

export async function startPlatform(config: PlatformConfig): Promise<Platform> {
  await fsp.mkdir(config.dataDir, { recursive: true });
  let embedded: EmbeddedStore | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (!config.obs.endpoint) {
      embedded = await EmbeddedStore.start({
        host: config.host === '0.0.0.0' || config.host === '::' ? config.host : '127.0.0.1',
        port: config.obs.embeddedPort,
        dataDir: config.dataDir,
        accessKeyId: config.obs.accessKeyId,
        secretAccessKey: config.obs.secretAccessKey,
        region: config.obs.region,
      });
      cleanups.push(() => embedded!.close());
    }
    const storageEndpoint = config.obs.endpoint ?? embedded!.endpoint;
    const metrics = new PlatformMetrics();
    const store = new ObjectStore({ ...config.obs, endpoint: storageEndpoint, onFailure: (what, reason) => metrics.storeFailed(what, reason) });
    cleanups.push(async () => store.destroy());
    const context: PlatformContext = {
      config,
      version: await packageVersion(),
      store,
      storageEndpoint,
      embeddedStore: !!embedded,
      compute: await computeInfo(),
      schemas: new Schemas(),
      metrics,
    };
    const runtimeModules = await prepareRuntimeModules(config.dataDir);
    const jobs = new JobService(context, runtimeModules);
    const models = new ModelService(context, jobs);
    const services = new ServiceManager(context, models);
    if (config.prepareSamples) {
      const prepared = await prepareTutorialBucket(store, path.join(config.dataDir, 'cache'));
      if (prepared.uploaded.length) log.info(`samples: uploaded ${prepared.uploaded.length} objects to obs://${TUTORIAL.bucket}/`);
    }
    const tokens = new IamTokens(path.join(config.dataDir, 'meta'), config.modelarts.tokenTtlSeconds);
    const credentials = new Credentials(config.modelarts, config.authToken, tokens);
    const areas: Area[] = [
      { routes: () => [consoleRoutes(), bucketRoutes(new ObjectBrowser(context))] },
      { routes: () => [iamRoutes(context, credentials)], start: () => tokens.start() },
      { routes: () => [trainingJobRoutes(jobs), trainingJobsV2Routes(jobs, context)], start: () => jobs.start(), stop: () => jobs.shutdown() },
      { routes: () => [modelRoutes(models), modelsV1Routes(models, context)], start: () => models.start() },
      { routes: () => [serviceRoutes(services), servicesV1Routes(services, context)], start: () => services.start(), stop: () => services.shutdown() },
    ];
    for (const area of areas) {
      await area.start?.();
      cleanups.push(async () => area.stop?.());
    }
    // Preflights carry no token, so CORS answers them before credentials are checked.
    const isPublic = (ctx: Parameters<typeof isConsoleFile>[0]) => isConsoleFile(ctx) || isIamPublic(ctx.method, ctx.path);
    const before = [controlPlaneCors(config.corsAllowOrigins), authenticate(credentials, isPublic)];
    const routers = [healthRoutes(context), metricsRoutes(context, () => services.metricsRegistry()), ...areas.flatMap((a) => a.routes())];
    routers.push(openApiRoutes(controlPlaneDocument(routers, context)));
    const app = createApp(routers, before);
    const koa = app.callback();
    const authorize = credentials.required ? gatewayAuthorizer(credentials, services) : undefined;
    const gateway = createGateway((id) => services.route(id), config.predict.maxBodyBytes, authorize);
    const tfServing = createTfServingGateway((name) => services.idByName(name), (id) => services.route(id), config.predict.maxBodyBytes, authorize);
    // Predictions skip Koa: the gateways are on the hot path and need none of it.
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith(GATEWAY_PREFIX)) gateway(req, res);
      else if (req.url?.startsWith(TF_SERVING_PREFIX)) tfServing(req, res);
      else void koa(req, res);
    });
    // Without credentials to check, a prediction's connection can go to the instance itself.
    const passes = config.gatewayMode === 'pass' && !credentials.required;
    const handOff: GatewayHandOff = (id, socket, head) => passes && services.handOffGateway(id, socket, head);
    const front = await listenWithHandOff(server, config.port, config.host, handOff);
    // The HTTP server gets its connections from the front: 'listening' starts its timeouts' bookkeeping.
    server.emit('listening');
    cleanups.push(() => closeServer(front, server));
    const port = (front.address() as { port: number }).port;
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${shownHost}:${port}`,
      port,
      context,
      embedded,
      routes: routesOf(routers),
      close: () => runCleanups(cleanups),
    };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

/** Predictions through the gateway need a token (the platform's or an IAM user's), or the service's own app code when it has one. */
function gatewayAuthorizer(credentials: Credentials, services: ServiceManager): Authorizer {
  return (id, req) => {
    const appCode = services.appCode(id);
    if (appCode && secretMatches(req.headers[APP_CODE_HEADER], appCode)) return;
    const token = req.headers[TOKEN_HEADER];
    if (typeof token === 'string' && token !== '') return void credentials.checkToken(token);
    throw new ApiError('unauthorized', 'predictions need a token in X-Auth-Token (the platform\'s, or one from POST /v3/auth/tokens) or the service\'s app code (X-Apig-AppCode)');
  };
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const fn of cleanups.reverse()) {
    await fn().catch((err) => log.warn('error while shutting down', err));
  }
  cleanups.length = 0;
}

async function computeInfo(): Promise<ComputeInfo> {
  const c = await compute();
  return { backend: c.backend, description: c.description, notes: c.notes };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await fsp.readFile(repoPath('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Stops listening and closes the control plane's connections. The front's own close
 * callback is not waited for: it would wait for the connections passed on to
 * instances, which end when the instances do, later in the shutdown.
 */
function closeServer(front: net.Server, server: http.Server): Promise<void> {
  front.close();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
