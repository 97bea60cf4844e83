import type { Context, Next } from 'koa';
import { errorResponse } from '../errors';
import { log } from '../log';

/** The one place where errors become HTTP responses. */
export async function handleErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    const { status, body, expected } = errorResponse(err);
    if (!expected) log.error(`${ctx.method} ${ctx.path} failed`, err);
    ctx.status = status;
    ctx.body = body;
  }
}
