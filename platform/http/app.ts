import Koa from 'koa';
import Router from '@koa/router';
import { allowedMethods } from '../../kernel/http/allowed-methods';
import { handleErrors } from '../../kernel/http/errors-middleware';

/**
 * The control plane's Koa app: errors are rendered in one middleware, routers
 * only dispatch, a path asked with a method it does not answer gets a 405 naming those it
 * does (allowedMethods), and one that matches no route a JSON 404 (see handleErrors).
 */
export function createApp(routers: Router[], before: Koa.Middleware[] = []): Koa {
  const app = new Koa();
  app.proxy = false;
  // Errors are answered by handleErrors; Koa's own printing would only repeat them.
  app.silent = true;
  app.use(handleErrors);
  for (const mw of before) app.use(mw);
  app.use(allowedMethods);
  for (const router of routers) app.use(router.routes());
  return app;
}
