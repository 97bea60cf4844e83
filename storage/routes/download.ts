import type { Context } from 'koa';
import type { ObjectDownload } from '../../kernel/storage/object-store';

/**
 * An object as a file download. Users' objects are served from the console's origin,
 * so they are always attachments in a sandbox and never sniffed: an uploaded HTML
 * page cannot run as the console.
 */
export function sendDownload(ctx: Context, obj: ObjectDownload): void {
  const name = obj.key.split('/').pop() || 'download';
  ctx.set('Content-Disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'");
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-cache');
  if (obj.etag) ctx.set('ETag', obj.etag);
  if (obj.lastModified) ctx.set('Last-Modified', obj.lastModified.toUTCString());
  ctx.set('Content-Type', obj.contentType || 'application/octet-stream');
  ctx.length = obj.size;
  if (ctx.method === 'HEAD') {
    // Koa sends no body for HEAD; the store's stream is closed so its connection is freed.
    obj.body.destroy();
    ctx.status = 200;
    return;
  }
  ctx.body = obj.body;
}
