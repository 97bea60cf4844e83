import type Router from '@koa/router';
import type { JobService } from '../job-service';
import type { PlatformContext } from '../../kernel/context';
import { readJson } from '../../kernel/http/body';
import { presignGet } from '../../kernel/storage/presign';
import { ENGINE_CATALOG, flavorCatalog } from '../modelarts/catalog';
import { jobV2View, JobSearch, platformJobBody, searchJobs } from '../modelarts/training-job-v2';
import { projectRouter } from '../../kernel/http/project-router';

/** The newest part of a log that a preview shows, as ModelArts' console does. */
const LOG_PREVIEW_BYTES = 512 * 1024;
/** How long a log link stays valid. */
const LOG_URL_SECONDS = 3600;

/** ModelArts' training API v2 on the platform's job records. */
export function trainingJobsV2Routes(jobs: JobService, p: PlatformContext): Router {
  const router = projectRouter('v2', p.config.modelarts.projectId);
  const task = (id: string, name: string) => jobs.checkTask(jobs.get(id), name);

  router.post('/training-jobs', async (ctx) => {
    const job = await jobs.create(platformJobBody(await readJson(ctx), p.schemas));
    ctx.status = 201;
    ctx.body = jobV2View(job);
  });

  router.get('/training-jobs/:id', (ctx) => {
    ctx.body = jobV2View(jobs.get(ctx.params.id));
  });

  router.delete('/training-jobs/:id', async (ctx) => {
    await jobs.delete(ctx.params.id);
    // ModelArts answers 202 with no body (Koa would otherwise write its status text).
    ctx.body = null;
    ctx.status = 202;
  });

  router.post('/training-jobs/:id/actions', async (ctx) => {
    const body = p.schemas.parse<{ action_type: string }>('modelarts-job-action', await readJson(ctx));
    if (body.action_type === 'terminate') await jobs.stop(ctx.params.id);
    ctx.status = 202;
    ctx.body = jobV2View(jobs.get(ctx.params.id));
  });

  router.post('/training-job-searches', async (ctx) => {
    const search = p.schemas.parse<JobSearch>('modelarts-job-searches', await readJson(ctx));
    ctx.body = searchJobs(jobs.records.list(), search);
  });

  router.get('/training-jobs/:id/tasks/:task/logs/preview', async (ctx) => {
    task(ctx.params.id, ctx.params.task);
    const log = (await jobs.logs(ctx.params.id, undefined, false, ctx.params.task)) as Buffer;
    const shown = log.subarray(Math.max(0, log.length - LOG_PREVIEW_BYTES));
    ctx.body = { content: shown.toString('utf8'), current_size: shown.length, full_size: log.length };
  });

  router.get('/training-jobs/:id/tasks/:task/logs/url', async (ctx) => {
    task(ctx.params.id, ctx.params.task);
    const url = await jobs.exportLog(ctx.params.id, undefined, ctx.params.task);
    ctx.body = { obs_url: await presignGet(p.store, url, LOG_URL_SECONDS) };
  });

  router.get('/training-jobs/:id/metrics/:task', async (ctx) => {
    task(ctx.params.id, ctx.params.task);
    const { metrics } = await jobs.metrics(ctx.params.id, undefined);
    const names = [...new Set(metrics.flatMap((m) => Object.keys(m)))];
    ctx.body = { metrics: names.map((metric) => ({ metric, value: metrics.filter((m) => metric in m).map((m) => m[metric]) })) };
  });

  catalogRoutes(router);
  return router;
}

/** What a job may run on: ModelArts' engine and flavor lists. */
function catalogRoutes(router: Router): void {
  router.get('/training-job-engines', (ctx) => {
    const items = ENGINE_CATALOG.map(({ runs: _runs, ...e }) => ({ ...e, v1_compatible: false, run_user: String(process.getuid?.() ?? 0), image_info: {} }));
    ctx.body = { total: items.length, items };
  });

  router.get('/training-job-flavors', (ctx) => {
    const type = typeof ctx.query.flavor_type === 'string' ? ctx.query.flavor_type : undefined;
    const flavors = flavorCatalog().filter((f) => !type || f.flavor_type === type);
    ctx.body = { total_count: flavors.length, flavors };
  });
}
