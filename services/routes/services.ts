import Router from '@koa/router';
import type { ServiceManager } from '../manager/service-manager';
import type { BatchManager } from '../batch/batch-manager';
import { isBatchBody, refuseBatchDeploy } from '../batch/batch-routing';
import { readJson } from '../../kernel/http/body';
import { oneOfQuery, stringQuery } from '../../kernel/http/query';
import { SERVICE_STATUSES } from '../service-record';
import { BATCH_STATUSES } from '../batch/batch-record';

/** What a real-time or a batch service may be (the list filters by either). */
export const ANY_SERVICE_STATUS = [...new Set([...SERVICE_STATUSES, ...BATCH_STATUSES])];

/** Real-time services, and batch services (`infer_type: "batch"`) on the same paths. */
export function serviceRoutes(services: ServiceManager, batch: BatchManager): Router {
  const router = new Router({ prefix: '/services' });

  router.post('/', async (ctx) => {
    const body = await readJson(ctx);
    ctx.status = 201;
    ctx.body = isBatchBody(body) ? await batch.create(body) : await services.create(body);
  });

  router.get('/', (ctx) => {
    const filter = { status: oneOfQuery(ctx, 'status', ANY_SERVICE_STATUS), model_id: stringQuery(ctx, 'model_id') };
    const type = oneOfQuery(ctx, 'infer_type', ['real-time', 'batch']);
    const items = [...(type === 'batch' ? [] : services.list(filter)), ...(type === 'real-time' ? [] : batch.list(filter))].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    ctx.body = { total: items.length, items };
  });

  router.get('/:id', (ctx) => {
    ctx.body = batch.has(ctx.params.id) ? batch.get(ctx.params.id) : services.get(ctx.params.id);
  });

  router.post('/:id/deploy', async (ctx) => {
    if (batch.has(ctx.params.id)) refuseBatchDeploy(batch.get(ctx.params.id));
    const service = await services.deploy(ctx.params.id, await readJson(ctx));
    // 202 while a deploy is under way; 200 when the service already runs what was asked.
    ctx.status = service.status === 'deploying' ? 202 : 200;
    ctx.body = service;
  });

  router.post('/:id/stop', async (ctx) => {
    ctx.body = batch.has(ctx.params.id) ? await batch.stop(ctx.params.id) : await services.stop(ctx.params.id);
  });

  router.delete('/:id', async (ctx) => {
    await (batch.has(ctx.params.id) ? batch.delete(ctx.params.id) : services.delete(ctx.params.id));
    ctx.status = 204;
  });

  return router;
}
