import http from 'node:http';
import type { PlatformContext } from '../kernel/context';
import { ApiError } from '../kernel/errors';
import { APP_CODE_HEADER, GATEWAY_PREFIX, TF_SERVING_PREFIX, TOKEN_HEADER } from '../kernel/http/api-names';
import { secretMatches } from '../kernel/util/secret';
import type { ServiceManager } from '../services/manager/service-manager';
import { createGateway, createTfServingGateway, type Authorizer } from '../services/gateway/gateway';
import type { Areas } from './areas';
import type { Credentials } from './auth/credentials';
import { createApp } from './http/app';
import { authenticate } from './http/auth';
import { controlPlaneCors } from './http/cors-middleware';
import { healthRoutes } from './http/routes/health';
import { isConsoleFile } from './http/routes/console';
import { isIamPublic } from './http/routes/iam';

/**
 * The platform's one HTTP server: predictions go straight to the gateways (they are on
 * the hot path and need none of Koa), everything else to the Koa app of every area's routes.
 */
export function createFrontServer(context: PlatformContext, { areas, services, credentials }: Areas): http.Server {
  const { config } = context;
  // Preflights carry no token, so CORS answers them before credentials are checked.
  const isPublic = (ctx: Parameters<typeof isConsoleFile>[0]) => isConsoleFile(ctx) || isIamPublic(ctx.method, ctx.path);
  const before = [controlPlaneCors(config.corsAllowOrigins), authenticate(credentials, isPublic)];
  const app = createApp([healthRoutes(context), ...areas.flatMap((a) => a.routes())], before);
  const koa = app.callback();
  const authorize = credentials.required ? gatewayAuthorizer(credentials, services) : undefined;
  const gateway = createGateway((id) => services.route(id), config.predict.maxBodyBytes, authorize);
  const tfServing = createTfServingGateway((name) => services.idByName(name), (id) => services.route(id), config.predict.maxBodyBytes, authorize);
  return http.createServer((req, res) => {
    if (req.url?.startsWith(GATEWAY_PREFIX)) gateway(req, res);
    else if (req.url?.startsWith(TF_SERVING_PREFIX)) tfServing(req, res);
    else void koa(req, res);
  });
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

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
