/**
 * A prediction request as ModelArts' Python inference runtime reads it for customize_service.py:
 * a JSON body as it is; a form as its text fields (strings) and its files by field and file name;
 * the query string's arguments merged in. A request without input — no body, an empty form, an
 * empty JSON object, a body of another type — is the runtime's 400 MR.0101.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../kernel/errors';
import { finishReading } from '../../kernel/http/read-body';
import { readJsonBody, readMultipart } from './request-body';

export async function readRuntimeRequest(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  let data: unknown;
  if (type === 'multipart/form-data') data = await readMultipart(req, maxBytes);
  else if (type === 'application/json' || type.endsWith('+json')) data = await readJsonBody(req, maxBytes).catch(noInputUnlessTooLarge);
  else await finishReading(req, maxBytes);
  if (!truthy(data)) {
    throw new ApiError(
      'predict_no_input',
      `the request carries no input (Content-Type ${type || 'none'}); send a JSON object or multipart/form-data with a file, e.g. curl -F images=@digit.png`,
    );
  }
  return withQuery(data, req.url ?? '/');
}

/** A body that is not JSON is no input to the runtime; one past the size limit stays a 413. */
function noInputUnlessTooLarge(err: unknown): undefined {
  if (err instanceof ApiError && err.kind === 'predict_too_large') throw err;
  return undefined;
}

/** Python's truth: None, False, 0, '', [] and {} are no input. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** The query string's arguments as fields (the first value of each), as the runtime merges request.args. */
function withQuery(data: unknown, url: string): unknown {
  const at = url.indexOf('?');
  if (at === -1 || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const merged = { ...(data as Record<string, unknown>) };
  const seen = new Set<string>();
  for (const [k, v] of new URLSearchParams(url.slice(at + 1))) {
    if (seen.has(k)) continue;
    seen.add(k);
    merged[k] = v;
  }
  return merged;
}
