import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ModelService } from '../model-service';
import type { PlatformContext } from '../../kernel/context';
import { ApiError } from '../../kernel/errors';
import { errorResponse } from '../../kernel/http/render-error';
import { readJson } from '../../kernel/http/body';
import { intQuery, stringQuery } from '../../kernel/http/query';
import { listModelsV1, ModelListQuery, modelV1Detail, platformImportBody } from '../modelarts/model-v1';
import { projectRouter } from '../../kernel/http/project-router';

/** The largest page ListModels answers (ModelArts' default page is all of them, up to 1000). */
const MAX_MODELS_PAGE = 1000;

/** ModelArts' model API v1 on the platform's model records. */
export function modelsV1Routes(models: ModelService, p: PlatformContext): Router {
  const router = projectRouter('v1', p.config.modelarts.projectId);
  const projectId = p.config.modelarts.projectId;

  router.post('/models', async (ctx) => {
    const { body, trace } = platformImportBody(await readJson(ctx), p.schemas);
    const model = await models.import(body, trace);
    ctx.body = { model_id: model.id };
  });

  router.get('/models', (ctx) => {
    ctx.body = listModelsV1(models.list({}), listQuery(ctx), projectId);
  });

  router.get('/models/:id', (ctx) => {
    ctx.body = modelV1Detail(models.get(ctx.params.id), projectId);
  });

  // A model that cannot go (a service uses it) is reported in the list, as ModelArts does.
  router.delete('/models/:id', async (ctx) => {
    models.get(ctx.params.id);
    try {
      await models.delete(ctx.params.id);
      ctx.body = { delete_success_list: [ctx.params.id], delete_failed_list: [] };
    } catch (err) {
      if (!(err instanceof ApiError) || err.kind === 'not_found') throw err;
      const { body } = errorResponse(err);
      ctx.body = { delete_success_list: [], delete_failed_list: [{ model_id: ctx.params.id, error_code: body.error_code, error_msg: body.error_msg }] };
    }
  });

  return router;
}

function listQuery(ctx: Context): ModelListQuery {
  const sortBy = stringQuery(ctx, 'sort_by') ?? 'create_at';
  const order = stringQuery(ctx, 'order') ?? 'desc';
  if (!['create_at', 'model_version', 'model_size'].includes(sortBy)) throw new ApiError('invalid_request', 'sort_by must be create_at, model_version or model_size');
  if (!['asc', 'desc'].includes(order)) throw new ApiError('invalid_request', 'order must be asc or desc');
  return {
    model_name: stringQuery(ctx, 'model_name'),
    model_version: stringQuery(ctx, 'model_version'),
    model_status: stringQuery(ctx, 'model_status'),
    model_type: stringQuery(ctx, 'model_type'),
    description: stringQuery(ctx, 'description'),
    offset: intQuery(ctx, 'offset', 0, 0, 1e6),
    limit: intQuery(ctx, 'limit', MAX_MODELS_PAGE, 1, MAX_MODELS_PAGE),
    sort_by: sortBy as ModelListQuery['sort_by'],
    order: order as ModelListQuery['order'],
  };
}
