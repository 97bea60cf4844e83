import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import { ApiError } from '../errors';

export const TOKEN_HEADER = 'x-auth-token';
export const APP_CODE_HEADER = 'x-apig-appcode';

/** Constant-time comparison that also hides the expected secret's length. */
export function secretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** With AUTH_TOKEN set, every control-plane call needs `X-Auth-Token`, as ModelArts' API needs an IAM token. */
export function requireToken(token: string, isPublic: (ctx: Context) => boolean = () => false) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!isPublic(ctx) && !secretMatches(ctx.get(TOKEN_HEADER) || undefined, token)) {
      throw new ApiError('unauthorized', 'this platform needs its token in the X-Auth-Token header');
    }
    await next();
  };
}
