import http from 'node:http';
import net from 'node:net';
import type { PlatformContext } from '../kernel/context';
import { ApiError } from '../kernel/errors';
import { APP_CODE_HEADER, GATEWAY_PREFIX, TF_SERVING_PREFIX, TOKEN_HEADER } from '../kernel/http/api-names';
import { secretMatches } from '../kernel/util/secret';
import type { ServiceManager } from '../services/manager/service-manager';
import { createGateway, createTfServingGateway, type Authorizer } from '../services/gateway/gateway';
import { listenWithHandOff, type GatewayHandOff } from '../services/gateway/gateway-handoff';
import type { Areas } from './areas';
import type { Credentials } from './auth/credentials';
import { createApp } from './http/app';
import { authenticate } from './http/auth';
import { controlPlaneCors } from './http/cors-middleware';
import { healthRoutes } from './http/routes/health';
import { metricsRoutes } from './http/routes/metrics';
import { openApiRoutes } from './http/routes/openapi';
import { controlPlaneDocument, routesOf, type RouteEntry } from './http/openapi/control-plane-document';
import { isConsoleFile } from './http/routes/console';
import { isIamPublic } from './http/routes/iam';

export interface FrontServer {
  server: http.Server;
  /** Every method and path the control plane's routers answer (the gateways aside). */
  routes: RouteEntry[];
}

/**
 * The platform's one HTTP server: predictions go straight to the gateways (they are on
 * the hot path and need none of Koa), everything else to the Koa app of every area's routes.
 */
export function createFrontServer(context: PlatformContext, { areas, services, credentials }: Areas): FrontServer {
  const { config } = context;
  // Preflights carry no token, so CORS answers them before credentials are checked.
  const isPublic = (ctx: Parameters<typeof isConsoleFile>[0]) => isConsoleFile(ctx) || isIamPublic(ctx.method, ctx.path);
  const before = [controlPlaneCors(config.corsAllowOrigins), authenticate(credentials, isPublic)];
  const routers = [healthRoutes(context), metricsRoutes(context, () => services.metricsRegistry()), ...areas.flatMap((a) => a.routes())];
  routers.push(openApiRoutes(controlPlaneDocument(routers, context)));
  const koa = createApp(routers, before).callback();
  const authorize = credentials.required ? gatewayAuthorizer(credentials, services) : undefined;
  const gateway = createGateway((id) => services.route(id), config.predict.maxBodyBytes, authorize);
  const tfServing = createTfServingGateway((name) => services.idByName(name), (id) => services.route(id), config.predict.maxBodyBytes, authorize);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith(GATEWAY_PREFIX)) gateway(req, res);
    else if (req.url?.startsWith(TF_SERVING_PREFIX)) tfServing(req, res);
    else void koa(req, res);
  });
  return { server, routes: routesOf(routers) };
}

/**
 * Listens in front of `server`: without credentials to check (and GATEWAY_MODE=pass), a
 * prediction's connection goes to the instance itself. Resolves with the listening socket.
 */
export async function listenInFront(server: http.Server, context: PlatformContext, { services, credentials, executors }: Areas): Promise<net.Server> {
  const { config } = context;
  const passes = config.gatewayMode === 'pass' && !credentials.required;
  const handOff: GatewayHandOff = (id, socket, head) => passes && services.handOffGateway(id, socket, head);
  // A cluster's nodes connect back through an upgrade of this port; no other upgrade is answered.
  server.on('upgrade', (req, socket: net.Socket, head: Buffer) => executors.cluster?.hub.accept(req, socket, head) || socket.destroy());
  const front = await listenWithHandOff(server, config.port, config.host, handOff);
  // The HTTP server gets its connections from the front: 'listening' starts its timeouts' bookkeeping.
  server.emit('listening');
  executors.listening((front.address() as net.AddressInfo).port);
  return front;
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

/**
 * Stops listening and closes the control plane's connections. The front's own close
 * callback is not waited for: it would wait for the connections passed on to
 * instances, which end when the instances do, later in the shutdown.
 */
export function closeServer(front: net.Server, server: http.Server): Promise<void> {
  front.close();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
