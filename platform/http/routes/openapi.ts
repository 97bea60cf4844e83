import Router from '@koa/router';

/** GET /openapi.json: the control plane's OpenAPI 3.1 document, made once at start from its routes and schemas. */
export function openApiRoutes(document: unknown): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  return router;
}
