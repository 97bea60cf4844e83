import { createHash, createHmac } from 'node:crypto';

/**
 * Request signing written from AWS's and OBS's documentation, independent of the store's
 * code, for the requests the tests make by hand: what `aws s3 presign` (Signature V2),
 * s3cmd, or a client that signs with `Date` only would send.
 */

export interface V2Request {
  method: string;
  /** `/<bucket>/<key>` as sent, percent-encoded. */
  path: string;
  /** Signed sub-resources, already in order: `uploads`, `partNumber=1` … */
  subresources?: string[];
  headers: Record<string, string>;
}

/** The V2 string to sign; `prefix` is `x-amz-` for S3 and `x-obs-` for OBS. */
export function v2StringToSign(r: V2Request, date: string, prefix = 'x-amz-'): string {
  const lower = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const prefixed = Object.keys(lower)
    .filter((k) => k.startsWith(prefix))
    .sort()
    .map((k) => `${k}:${lower[k].trim()}\n`)
    .join('');
  const resource = r.subresources?.length ? `${r.path}?${r.subresources.join('&')}` : r.path;
  return `${r.method}\n${lower['content-md5'] ?? ''}\n${lower['content-type'] ?? ''}\n${date}\n${prefixed}${resource}`;
}

export function hmacSha1(secret: string, text: string | Buffer): string {
  return createHmac('sha1', secret).update(text).digest('base64');
}

/** `Authorization: AWS ak:sig` (or `OBS ak:sig`) headers for a request, dated `date`. */
export function signV2(r: V2Request, accessKey: string, secret: string, options: { date?: Date; scheme?: 'AWS' | 'OBS' } = {}): Record<string, string> {
  const date = (options.date ?? new Date()).toUTCString();
  const scheme = options.scheme ?? 'AWS';
  const headers = { ...r.headers, Date: date };
  const signature = hmacSha1(secret, v2StringToSign({ ...r, headers }, date, scheme === 'OBS' ? 'x-obs-' : 'x-amz-'));
  return { ...headers, Authorization: `${scheme} ${accessKey}:${signature}` };
}

/** A V2 presigned link as `aws s3 presign` (V2) or OBS's SDK (`AccessKeyId=`) makes it. */
export function presignV2(endpoint: string, path: string, accessKey: string, secret: string, expires: number, scheme: 'AWS' | 'OBS' = 'AWS'): string {
  const signature = hmacSha1(secret, v2StringToSign({ method: 'GET', path, headers: {} }, String(expires)));
  const keyParam = scheme === 'AWS' ? 'AWSAccessKeyId' : 'AccessKeyId';
  return `${endpoint}${path}?${keyParam}=${encodeURIComponent(accessKey)}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
}

/**
 * SigV4 over the `date` header alone (no x-amz-date), as clients that set Date themselves
 * send it: the string to sign carries the date in SigV4's basic form.
 */
export function signV4WithDateOnly(
  method: string,
  path: string,
  host: string,
  accessKey: string,
  secret: string,
  region: string,
): Record<string, string> {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payload = createHash('sha256').update('').digest('hex');
  const headers: Record<string, string> = { date: now.toUTCString(), host, 'x-amz-content-sha256': payload };
  const names = Object.keys(headers).sort();
  const canonical = [method, path, '', names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), payload].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = [day, region, 's3', 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secret}`);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}
