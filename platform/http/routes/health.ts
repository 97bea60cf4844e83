import Router from '@koa/router';
import type { PlatformContext } from '../../context';

export function healthRoutes(p: PlatformContext): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const reachable = await p.store.reachable();
    ctx.status = reachable ? 200 : 503;
    ctx.body = {
      status: reachable ? 'ok' : 'degraded',
      version: p.version,
      storage: { endpoint: p.storageEndpoint, embedded: p.embeddedStore, reachable, region: p.config.obs.region },
      compute: p.compute,
      data_dir: p.config.dataDir,
    };
  });
  return router;
}
