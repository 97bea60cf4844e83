import type { IncomingMessage } from 'node:http';
import { MAX_KEY_BYTES } from './limits';
import { S3Error } from './s3-error';
import { decodeUriPart, parseQuery, type QueryParam } from './uri';

/**
 * Which protocol family the client speaks: S3's (`x-amz-*` headers) or OBS's own
 * (`Authorization: OBS …`, `x-obs-*` headers), which is answered with `x-obs-*` headers.
 */
type Dialect = 's3' | 'obs';

/**
 * A request addressed path-style (`/<bucket>/<key...>?<query>`) or virtual-host style
 * (`Host: <bucket>.localhost`, `/<key...>?<query>`).
 */
export interface S3Request {
  method: string;
  /** The path exactly as sent, still percent-encoded; signatures are computed over it. */
  rawPath: string;
  /** The bucket named by the Host header, when the request is addressed virtual-host style. */
  virtualHostBucket?: string;
  dialect: Dialect;
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

/**
 * Host names under which `<bucket>.<domain>` addresses a bucket. `*.localhost` resolves to
 * the loopback interface (RFC 6761), so it is the one domain a local store can claim.
 */
const VIRTUAL_HOST_DOMAINS = ['localhost'];

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

  const virtualHostBucket = bucketOfHost(header(req, 'host'));
  const path = (virtualHostBucket === undefined ? '' : virtualHostBucket + '/') + (rawPath.startsWith('/') ? rawPath.slice(1) : rawPath);
  const slash = path.indexOf('/');
  const bucket = virtualHostBucket ?? decodeUriPart(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeUriPart(path.slice(slash + 1));
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', `Your key is too long: the maximum is ${MAX_KEY_BYTES} bytes.`);
  }
  return {
    method: req.method ?? 'GET',
    rawPath,
    virtualHostBucket,
    dialect: dialectOf(req, query),
    rawQuery,
    params,
    query,
    bucket: bucket === '' ? undefined : bucket,
    key: key === '' ? undefined : key,
    resource: '/' + (bucket === '' ? '' : bucket + (key === '' ? '' : '/' + key)),
  };
}

function bucketOfHost(host: string | undefined): string | undefined {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  for (const domain of VIRTUAL_HOST_DOMAINS) {
    if (name.endsWith('.' + domain) && name.length > domain.length + 1) return name.slice(0, -domain.length - 1);
  }
  return undefined;
}

/** OBS clients say who they are by their signature: `OBS ak:sig`, or `AccessKeyId=` in a signed link. */
function dialectOf(req: IncomingMessage, query: Map<string, string>): Dialect {
  const authorization = header(req, 'authorization') ?? '';
  if (authorization.startsWith('OBS ')) return 'obs';
  return authorization === '' && query.has('AccessKeyId') && !query.has('AWSAccessKeyId') ? 'obs' : 's3';
}

/**
 * Once an OBS signature is verified, its `x-obs-*` headers mean what S3's `x-amz-*` ones
 * do (`x-obs-meta-*`, `x-obs-copy-source`, `x-obs-metadata-directive` …); every operation
 * then reads one set of names.
 */
export function adoptObsHeaders(req: IncomingMessage): void {
  for (const [name, value] of Object.entries(req.headers)) {
    const amz = 'x-amz-' + name.slice('x-obs-'.length);
    if (name.startsWith('x-obs-') && req.headers[amz] === undefined) req.headers[amz] = value;
  }
}

/** A header's value, or undefined; repeated headers arrive joined by Node. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
