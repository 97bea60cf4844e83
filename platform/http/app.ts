import Koa from 'koa';
import Router from '@koa/router';
import { ApiError } from '../../kernel/errors';
import { handleErrors } from '../../kernel/http/errors-middleware';

/**
 * The control plane's Koa app: errors are rendered in one middleware, routers
 * only dispatch, and a request that matches no route gets a JSON 404 (see handleErrors).
 */
export function createApp(routers: Router[], before: Koa.Middleware[] = []): Koa {
  const app = new Koa();
  app.proxy = false;
  // Errors are answered by handleErrors; Koa's own printing would only repeat them.
  app.silent = true;
  app.use(handleErrors);
  for (const mw of before) app.use(mw);
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true, methodNotAllowed: () => new ApiError('method_not_allowed', 'this path does not accept that method') }));
  }
  return app;
}
