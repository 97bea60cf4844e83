import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ServiceManager } from '../manager/service-manager';
import type { PlatformContext } from '../../kernel/context';
import { ApiError } from '../../kernel/errors';
import { readJson } from '../../kernel/http/body';
import { intQuery, stringQuery } from '../../kernel/http/query';
import { parseServiceBody, platformServiceBody, serviceV1Detail, serviceV1Summary, trafficOf } from '../modelarts/service-v1';
import { projectRouter } from '../../kernel/http/project-router';
import type { BatchManager } from '../batch/batch-manager';
import { batchBodyFromV1, batchV1Detail, batchV1Summary } from '../batch/batch-v1';
import { refuseBatchDeploy } from '../batch/batch-routing';

/** ModelArts' service API v1 (real-time and batch services) on the platform's service records. */
export function servicesV1Routes(services: ServiceManager, p: PlatformContext, batch: BatchManager): Router {
  const router = projectRouter('v1', p.config.modelarts.projectId);
  const projectId = p.config.modelarts.projectId;

  router.post('/services', async (ctx) => {
    const body = parseServiceBody(await readJson(ctx), p.schemas);
    const service = body.infer_type === 'batch' ? await batch.create(batchBodyFromV1(body), 'config[0].') : await services.create(platformServiceBody(body));
    ctx.body = { service_id: service.id, resource_ids: [service.id] };
  });

  router.get('/services', (ctx) => {
    const name = stringQuery(ctx, 'service_name')?.toLowerCase();
    const status = stringQuery(ctx, 'service_status');
    const type = stringQuery(ctx, 'infer_type');
    const modelId = stringQuery(ctx, 'model_id');
    const realTime = type === 'batch' ? [] : services.list({ model_id: modelId }).map((s) => serviceV1Summary(s, projectId));
    const batches = type === 'real-time' ? [] : batch.list({ model_id: modelId }).map((r) => batchV1Summary(r, projectId));
    const all = [...realTime, ...batches]
      .sort((a, b) => Number(b.publish_at) - Number(a.publish_at))
      .filter((s) => (!name || String(s.service_name).toLowerCase().includes(name)) && (!status || s.status === status));
    const { offset, limit } = page(ctx);
    const shown = all.slice(offset * limit, offset * limit + limit);
    ctx.body = { total_count: all.length, count: shown.length, services: shown };
  });

  router.get('/services/:id', (ctx) => {
    if (batch.has(ctx.params.id)) return void (ctx.body = batchV1Detail(batch.get(ctx.params.id), projectId));
    ctx.body = serviceV1Detail(services.get(ctx.params.id), projectId, `${ctx.protocol}://${ctx.host}`);
  });

  // ModelArts' one call for start, stop and a new configuration.
  router.put('/services/:id', async (ctx) => {
    const body = parseServiceBody(await readJson(ctx), p.schemas);
    if (batch.has(ctx.params.id)) return void (ctx.body = await stopBatch(batch, ctx.params.id, body));
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
    await (batch.has(ctx.params.id) ? batch.delete(ctx.params.id) : services.delete(ctx.params.id));
    ctx.body = {};
  });

  return router;
}

function page(ctx: Context): { offset: number; limit: number } {
  return { offset: intQuery(ctx, 'offset', 0, 0, 1e6), limit: intQuery(ctx, 'limit', 1000, 1, 1000) };
}

/** A batch service takes PUT only to stop it. */
async function stopBatch(batch: BatchManager, id: string, body: { status?: string; config?: unknown }): Promise<object> {
  const record = batch.get(id);
  if (body.status !== 'stopped' || body.config) refuseBatchDeploy(record);
  if (!record.terminal) await batch.stop(record.id);
  return {};
}
