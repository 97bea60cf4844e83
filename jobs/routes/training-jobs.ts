import Router from '@koa/router';
import { Readable } from 'node:stream';
import type { JobService } from '../job-service';
import { readJson } from '../../kernel/http/body';
import { flagQuery, intQuery, oneOfQuery, stringQuery } from '../../kernel/http/query';
import { JOB_STATUSES } from '../job-record';

export function trainingJobRoutes(jobs: JobService): Router {
  const router = new Router({ prefix: '/training-jobs' });

  router.post('/', async (ctx) => {
    ctx.status = 201;
    ctx.body = await jobs.create(await readJson(ctx));
  });

  router.get('/', (ctx) => {
    const status = oneOfQuery(ctx, 'status', JOB_STATUSES);
    ctx.body = jobs.list({ status, offset: intQuery(ctx, 'offset', 0, 0, 1e9), limit: intQuery(ctx, 'limit', 20, 1, 100) });
  });

  router.get('/:id', (ctx) => {
    ctx.body = jobs.get(ctx.params.id);
  });

  router.delete('/:id', async (ctx) => {
    await jobs.delete(ctx.params.id);
    ctx.status = 204;
  });

  router.post('/:id/versions', async (ctx) => {
    ctx.status = 201;
    ctx.body = await jobs.addVersion(ctx.params.id, await readJson(ctx));
  });

  router.post('/:id/stop', async (ctx) => {
    ctx.body = await jobs.stop(ctx.params.id, stringQuery(ctx, 'version'));
  });

  router.get('/:id/logs', async (ctx) => {
    const follow = flagQuery(ctx, 'follow');
    const body = await jobs.logs(ctx.params.id, stringQuery(ctx, 'version'), follow, stringQuery(ctx, 'task'));
    ctx.type = 'text/plain; charset=utf-8';
    if (body instanceof Readable) {
      // Followers get each chunk as it is written, not when a buffer fills.
      ctx.set('Cache-Control', 'no-cache');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.req.socket.setNoDelay(true);
    }
    ctx.body = body;
  });

  router.get('/:id/metrics', async (ctx) => {
    ctx.body = await jobs.metrics(ctx.params.id, stringQuery(ctx, 'version'), intQuery(ctx, 'offset', 0, 0, 1e9));
  });

  return router;
}
