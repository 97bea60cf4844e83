import Router from '@koa/router';
import type { PlatformContext } from '../../../kernel/context';
import { dataDirSpace } from '../../../kernel/util/disk-space';

/**
 * `ok`, or `degraded` with what is wrong. An unreachable store answers 503 (nothing works);
 * little free space answers 200 (reads and deletes still work, and freeing space needs them).
 */
export function healthRoutes(context: PlatformContext): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const [reachable, disk] = await Promise.all([context.store.reachable(), dataDirSpace(context.config.dataDir, context.config.minFreeBytes)]);
    const problems = [
      ...(reachable ? [] : [`the object store at ${context.storageEndpoint} does not answer`]),
      ...(disk.low ? [`the data directory has ${disk.free_bytes} bytes free, less than MIN_FREE_BYTES (${disk.min_free_bytes}); uploads, jobs and imports may fail`] : []),
    ];
    ctx.status = reachable ? 200 : 503;
    ctx.body = {
      status: problems.length ? 'degraded' : 'ok',
      ...(problems.length ? { problems } : {}),
      version: context.version,
      storage: { endpoint: context.storageEndpoint, embedded: context.embeddedStore, reachable, region: context.config.obs.region },
      compute: context.compute,
      data_dir: context.config.dataDir,
      disk,
    };
  });
  return router;
}
