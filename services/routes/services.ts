import Router from '@koa/router';
import type { ServiceManager } from '../manager/service-manager';
import { readJson } from '../../kernel/http/body';
import { oneOfQuery, stringQuery } from '../../kernel/http/query';
import { SERVICE_STATUSES } from '../service-record';

export function serviceRoutes(services: ServiceManager): Router {
  const router = new Router({ prefix: '/services' });

  router.post('/', async (ctx) => {
    ctx.status = 201;
    ctx.body = await services.create(await readJson(ctx));
  });

  router.get('/', (ctx) => {
    const items = services.list({ status: oneOfQuery(ctx, 'status', SERVICE_STATUSES), model_id: stringQuery(ctx, 'model_id') });
    ctx.body = { total: items.length, items };
  });

  router.get('/:id', (ctx) => {
    ctx.body = services.get(ctx.params.id);
  });

  router.post('/:id/deploy', async (ctx) => {
    const service = await services.deploy(ctx.params.id, await readJson(ctx));
    // 202 while a deploy is under way; 200 when the service already runs what was asked.
    ctx.status = service.status === 'deploying' ? 202 : 200;
    ctx.body = service;
  });

  router.post('/:id/stop', async (ctx) => {
    ctx.body = await services.stop(ctx.params.id);
  });

  router.delete('/:id', async (ctx) => {
    await services.delete(ctx.params.id);
    ctx.status = 204;
  });

  return router;
}
