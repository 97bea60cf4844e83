import Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { PlatformContext } from '../../../kernel/context';

/** GET /metrics: the control plane's series, the process', and every service's (its instances summed), in Prometheus' text format. */
export function metricsRoutes(context: PlatformContext, services: () => Promise<Registry>): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const { contentType, text } = await context.metrics.text([await services()]);
    ctx.type = contentType;
    ctx.body = text;
  });
  return router;
}
