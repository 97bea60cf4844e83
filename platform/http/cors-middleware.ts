import type { Middleware } from 'koa';
import { applyCors } from '../../kernel/http/cors';

const CONTROL_PLANE_METHODS = 'GET, POST, DELETE, OPTIONS';

/**
 * Lets browser pages from the configured origins call the control-plane API (a page that
 * starts a new job version, imports its model and rolls a service to it). Off when the
 * list is empty: the API runs training code, so a browser reaches it only on purpose.
 */
export function controlPlaneCors(allow: readonly string[]): Middleware {
  return async (ctx, next) => {
    if (allow.length && applyCors(ctx.req, ctx.res, allow, CONTROL_PLANE_METHODS)) {
      ctx.respond = false;
      return;
    }
    await next();
  };
}
