import type { IncomingMessage } from 'node:http';
import { MAX_KEY_BYTES } from './limits';
import { S3Error } from './s3-error';
import { decodeUriPart, parseQuery, type QueryParam } from './uri';

/** A request addressed path-style: `/<bucket>/<key...>?<query>`. */
export interface S3Request {
  method: string;
  /** The path exactly as sent, still percent-encoded; signatures are computed over it. */
  rawPath: string;
  rawQuery: string;
  params: QueryParam[];
  /** First value of each query parameter. */
  query: Map<string, string>;
  bucket?: string;
  /** The object key, decoded; absent for service and bucket requests. */
  key?: string;
  /** Decoded path, used as the Resource of error documents. */
  resource: string;
}

export function parseS3Request(req: IncomingMessage): S3Request {
  let target = req.url ?? '/';
  // Absolute-form targets (`http://host/path`) are legal HTTP; reduce them to the path.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const params = parseQuery(rawQuery);
  const query = new Map<string, string>();
  for (const p of params) if (!query.has(p.name)) query.set(p.name, p.value);

  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  const bucket = decodeUriPart(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeUriPart(path.slice(slash + 1));
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `Your key is too long: the maximum is ${MAX_KEY_BYTES} bytes.`);
  }
  return {
    method: req.method ?? 'GET',
    rawPath,
    rawQuery,
    params,
    query,
    bucket: bucket === '' ? undefined : bucket,
    key: key === '' ? undefined : key,
    resource: '/' + (bucket === '' ? '' : bucket + (key === '' ? '' : '/' + key)),
  };
}

/** A header's value, or undefined; repeated headers arrive joined by Node. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
