import type { Context, Next } from 'koa';
import { methodNotAllowed } from '../errors';

/** What @koa/router leaves on the context: every route whose path matched, whatever its method. */
interface MatchedRoute {
  methods: string[];
  paramNames: unknown[];
}

/**
 * One answer for a path that exists but not with the method asked (any method, TRACE
 * too): 405 naming the methods in Allow, and OPTIONS answered with them. A path of fixed
 * words (`/models/import`) is that route's alone: `/models/:id` also matches it, but its
 * methods are not this path's. Runs after every router, so it sees all their matches.
 */
export async function allowedMethods(ctx: Context, next: Next): Promise<void> {
  await next();
  if (ctx.status !== 404 || ctx.body !== undefined) return;
  const routes = ((ctx as unknown as { matched?: MatchedRoute[] }).matched ?? []).filter((r) => r.methods.length > 0);
  if (!routes.length) return;
  const exact = routes.filter((r) => r.paramNames.length === 0);
  const methods = [...new Set((exact.length ? exact : routes).flatMap((r) => r.methods))];
  // The route answered (a 404 of its own, such as a file that is not there).
  if (methods.includes(ctx.method)) return;
  if (ctx.method === 'OPTIONS') {
    ctx.set('Allow', methods.join(', '));
    ctx.status = 204;
    return;
  }
  throw methodNotAllowed('method_not_allowed', methods, `${ctx.path} does not answer ${ctx.method}; it answers ${methods.join(', ')}`);
}
