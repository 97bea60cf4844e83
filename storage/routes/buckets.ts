import Router from '@koa/router';
import type { ObjectBrowser } from '../object-browser';
import { MAX_LIST_LIMIT } from '../object-browser';
import { readJson } from '../../kernel/http/body';
import { sendDownload } from './download';
import { intQuery, stringQuery } from '../../kernel/http/query';

/** The object-storage API: buckets, listings, uploads, downloads and deletes. */
export function bucketRoutes(browser: ObjectBrowser): Router {
  const router = new Router({ prefix: '/buckets' });

  router.get('/', async (ctx) => {
    ctx.body = await browser.buckets();
  });

  router.post('/', async (ctx) => {
    ctx.status = 201;
    ctx.body = await browser.createBucket(await readJson(ctx));
  });

  router.delete('/:bucket', async (ctx) => {
    await browser.deleteBucket(ctx.params.bucket);
    ctx.status = 204;
  });

  router.get('/:bucket/objects', async (ctx) => {
    ctx.body = await browser.list(ctx.params.bucket, {
      prefix: stringQuery(ctx, 'prefix'),
      delimiter: stringQuery(ctx, 'delimiter'),
      limit: intQuery(ctx, 'limit', MAX_LIST_LIMIT, 1, MAX_LIST_LIMIT),
      token: stringQuery(ctx, 'token'),
    });
  });

  router.get('/:bucket/objects/{*key}', async (ctx) => {
    sendDownload(ctx, await browser.download(ctx.params.bucket, ctx.params.key ?? ''));
  });

  router.put('/:bucket/objects/{*key}', async (ctx) => {
    const declared = ctx.get('content-length');
    ctx.status = 201;
    ctx.body = await browser.upload(ctx.params.bucket, ctx.params.key ?? '', {
      body: ctx.req,
      length: /^\d+$/.test(declared) ? Number(declared) : undefined,
      contentType: ctx.get('content-type') || undefined,
    });
  });

  router.delete('/:bucket/objects/{*key}', async (ctx) => {
    ctx.body = await browser.delete(ctx.params.bucket, ctx.params.key ?? '');
  });

  return router;
}
