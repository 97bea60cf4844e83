import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ServiceManager } from '../manager/service-manager';
import type { PlatformContext } from '../../kernel/context';
import { ApiError } from '../../kernel/errors';
import { readJson } from '../../kernel/http/body';
import { intQuery, stringQuery } from '../../kernel/http/query';
import { parseServiceBody, platformServiceBody, serviceV1Detail, serviceV1Summary, trafficOf } from '../modelarts/service-v1';
import { projectRouter } from '../../kernel/http/project-router';

/** ModelArts' service API v1 (real-time services) on the platform's service records. */
export function servicesV1Routes(services: ServiceManager, p: PlatformContext): Router {
  const router = projectRouter('v1', p.config.modelarts.projectId);
  const projectId = p.config.modelarts.projectId;

  router.post('/services', async (ctx) => {
    const service = await services.create(platformServiceBody(parseServiceBody(await readJson(ctx), p.schemas)));
    ctx.body = { service_id: service.id, resource_ids: [service.id] };
  });

  router.get('/services', (ctx) => {
    const name = stringQuery(ctx, 'service_name')?.toLowerCase();
    const status = stringQuery(ctx, 'service_status');
    const all = services
      .list({ model_id: stringQuery(ctx, 'model_id') })
      .filter((s) => (!name || s.name.toLowerCase().includes(name)) && (!status || serviceV1Summary(s, projectId).status === status));
    const { offset, limit } = page(ctx);
    const shown = all.slice(offset * limit, offset * limit + limit);
    ctx.body = { total_count: all.length, count: shown.length, services: shown.map((s) => serviceV1Summary(s, projectId)) };
  });

  router.get('/services/:id', (ctx) => {
    ctx.body = serviceV1Detail(services.get(ctx.params.id), projectId, `${ctx.protocol}://${ctx.host}`);
  });

  // ModelArts' one call for start, stop and a new configuration.
  router.put('/services/:id', async (ctx) => {
    const body = parseServiceBody(await readJson(ctx), p.schemas);
    const current = services.get(ctx.params.id);
    if (body.status === 'stopped' && body.config) throw new ApiError('invalid_request', 'give a new config or status "stopped", not both');
    if (body.status === 'stopped') {
      if (current.status !== 'stopped') await services.stop(current.id);
    } else if (body.config) {
      await services.deploy(current.id, { traffic: trafficOf(body.config) });
    } else if (body.status === 'running' && !['running', 'deploying', 'concerning'].includes(current.status)) {
      await services.deploy(current.id, {});
    }
    ctx.body = {};
  });

  router.delete('/services/:id', async (ctx) => {
    await services.delete(ctx.params.id);
    ctx.body = {};
  });

  return router;
}

function page(ctx: Context): { offset: number; limit: number } {
  return { offset: intQuery(ctx, 'offset', 0, 0, 1e6), limit: intQuery(ctx, 'limit', 1000, 1, 1000) };
}
