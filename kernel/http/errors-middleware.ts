import type { Context, Next } from 'koa';
import { ApiError } from '../errors';
import { errorDialect, renderError } from './render-error';
import { log } from '../log';
import { finishReading } from './read-body';
import { MAX_JSON_BODY_BYTES } from './body';

/** The one place where errors become HTTP responses. */
export async function handleErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    // Nothing answered (routers had no match, and no 405 applied): a JSON 404.
    if (ctx.status === 404 && ctx.body === undefined) {
      throw new ApiError('route_not_found', `no API route ${ctx.method} ${ctx.path}; docs/api.md lists the API`);
    }
  } catch (err) {
    const { status, body, expected, headers } = renderError(err, errorDialect(ctx.path));
    ctx.set(headers);
    if (!expected) log.error(`${ctx.method} ${ctx.path} failed`, err);
    if (await finishReading(ctx.req, MAX_JSON_BODY_BYTES)) ctx.set('Connection', 'close');
    ctx.status = status;
    ctx.body = body;
  }
}
