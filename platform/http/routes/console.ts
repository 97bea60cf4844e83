import Router from '@koa/router';
import type { Context } from 'koa';
import { repoPath } from '../../../kernel/paths';
import { loadStaticFiles, StaticFile } from '../static-files';

export const CONSOLE_ASSETS = '/console/';

// The console loads only its own files and talks only to this origin.
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web console: index.html at `/`, its modules and styles under /console/. Files
 * carry an ETag and `no-cache`, so a browser revalidates (a 304 costs nothing) and
 * never runs a stale module after an upgrade; modules are plain ES modules, no build.
 */
export function consoleRoutes(dir = repoPath('platform', 'console')): Router {
  const files = loadStaticFiles(dir);
  const router = new Router();
  router.get('/', (ctx) => serve(ctx, files.get('index.html')));
  router.get(`${CONSOLE_ASSETS}{*file}`, (ctx) => serve(ctx, files.get(ctx.params.file ?? '')));
  return router;
}

/** The console's own files hold no data, so a browser may load them before it has the token. */
export function isConsoleFile(ctx: Context): boolean {
  return (ctx.method === 'GET' || ctx.method === 'HEAD') && (ctx.path === '/' || ctx.path.startsWith(CONSOLE_ASSETS));
}

function serve(ctx: Context, file: StaticFile | undefined): void {
  if (!file) return; // falls through to the JSON 404
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('ETag', file.etag);
  ctx.type = file.type;
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = file.body;
}
