import Router from '@koa/router';
import type { PlatformContext } from '../../../kernel/context';
import { dataDirSpace } from '../../../kernel/util/disk-space';
import type { ClusterConfig } from '../../../kernel/config';

/** Where jobs and service instances run: this machine, or a Slurm cluster (its partition, and the address its nodes use). */
function executorOf(c: ClusterConfig): Record<string, string> {
  if (c.executor === 'local') return { kind: 'local' };
  return { kind: 'slurm', ...(c.partition ? { partition: c.partition } : {}), address: c.address! };
}

/**
 * `ok`, or `degraded` with what is wrong. An unreachable store answers 503 (nothing works);
 * little free space answers 200 (reads and deletes still work, and freeing space needs them).
 */
export function healthRoutes(p: PlatformContext): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const [reachable, disk] = await Promise.all([p.store.reachable(), dataDirSpace(p.config.dataDir, p.config.minFreeBytes)]);
    const problems = [
      ...(reachable ? [] : [`the object store at ${p.storageEndpoint} does not answer`]),
      ...(disk.low ? [`the data directory has ${disk.free_bytes} bytes free, less than MIN_FREE_BYTES (${disk.min_free_bytes}); uploads, jobs and imports may fail`] : []),
    ];
    ctx.status = reachable ? 200 : 503;
    ctx.body = {
      status: problems.length ? 'degraded' : 'ok',
      ...(problems.length ? { problems } : {}),
      version: p.version,
      storage: { endpoint: p.storageEndpoint, embedded: p.embeddedStore, reachable, region: p.config.obs.region },
      compute: p.compute,
      executor: executorOf(p.config.cluster),
      data_dir: p.config.dataDir,
      disk,
    };
  });
  return router;
}
