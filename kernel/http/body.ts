import type { Context } from 'koa';
import { ApiError } from '../errors';
import { bodyTooLarge, readBody } from './read-body';

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Reads the request body as JSON. An empty body counts as `{}`; anything else must
 * be declared as JSON, fit in MAX_JSON_BODY_BYTES (reading stops at the limit) and parse.
 */
export async function readJson(ctx: Context, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const raw = await readRaw(ctx, limit);
  if (raw.length === 0) return {};
  if (!ctx.is('application/json', 'json', '+json') && ctx.get('content-type')) {
    throw new ApiError('unsupported_media_type', `send the body as JSON with "Content-Type: application/json" (got "${ctx.get('content-type')}")`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError('invalid_json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function readRaw(ctx: Context, limit: number): Promise<Buffer> {
  // A signed request's body was read already, to check its signature (see platform/http/auth.ts).
  const read = ctx.state.rawBody as Buffer | undefined;
  if (read) return read.length > limit ? Promise.reject(bodyTooLarge(limit)) : Promise.resolve(read);
  return readBody(ctx.req, limit);
}

/** The body as text (for parsers that report line and column themselves). */
export async function readText(ctx: Context, limit = MAX_JSON_BODY_BYTES): Promise<string> {
  return (await readRaw(ctx, limit)).toString('utf8');
}
