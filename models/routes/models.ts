import Router from '@koa/router';
import type { ModelService } from '../model-service';
import { readJson, readText } from '../../kernel/http/body';
import { oneOfQuery, stringQuery } from '../../kernel/http/query';
import { MODEL_STATUSES } from '../model-record';

export function modelRoutes(models: ModelService): Router {
  const router = new Router({ prefix: '/models' });

  router.post('/validate', async (ctx) => {
    ctx.body = models.validate(await readText(ctx));
  });

  router.post('/import', async (ctx) => {
    ctx.status = 201;
    ctx.body = await models.import(await readJson(ctx));
  });

  router.get('/', (ctx) => {
    const items = models.list({ name: stringQuery(ctx, 'name'), status: oneOfQuery(ctx, 'status', MODEL_STATUSES) });
    ctx.body = { total: items.length, items };
  });

  router.get('/:id', (ctx) => {
    ctx.body = models.get(ctx.params.id);
  });

  router.delete('/:id', async (ctx) => {
    await models.delete(ctx.params.id);
    ctx.status = 204;
  });

  return router;
}
