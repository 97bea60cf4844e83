import type { Context, Next } from 'koa';
import { Credentials } from '../auth/credentials';
import { TOKEN_HEADER } from '../../kernel/http/api-names';
import { readBody } from '../../kernel/http/read-body';
import { MAX_JSON_BODY_BYTES } from '../../kernel/http/body';

/**
 * Every control-plane call is checked by `credentials` (see auth/credentials.ts): the
 * platform token or an IAM token in X-Auth-Token, or an AK/SK signature, whose check
 * needs the body, read here once and kept for the handler (see kernel/http/body.ts).
 */
export function authenticate(credentials: Credentials, isPublic: (ctx: Context) => boolean = () => false) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (credentials.required && !isPublic(ctx)) {
      const signed = Credentials.isSigned(ctx.get('authorization') || undefined) && !ctx.get(TOKEN_HEADER);
      const body = signed ? await readBody(ctx.req, MAX_JSON_BODY_BYTES) : Buffer.alloc(0);
      if (signed) ctx.state.rawBody = body;
      const [path, query = ''] = ctx.originalUrl.split(/\?(.*)/s, 2);
      ctx.state.caller = credentials.check({ method: ctx.method, path, query, headers: ctx.headers, body });
    }
    await next();
  };
}
