import Router from '@koa/router';
import { ApiError } from '../errors';

/** A router for `/<version>/{project_id}/…` that answers only for the platform's project. */
export function projectRouter(version: 'v1' | 'v2', projectId: string): Router {
  const router = new Router({ prefix: `/${version}/:project_id` });
  router.param('project_id', async (id, ctx, next) => {
    if (id !== projectId) {
      throw new ApiError('wrong_project', `project ${id} is not this platform's project; its id is ${projectId} (GET /v3/projects lists it)`);
    }
    await next();
  });
  return router;
}
