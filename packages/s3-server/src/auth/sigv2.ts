import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { header, type S3Request } from '../request';
import { S3Error } from '../s3-error';
import {
  checkAccessKey,
  checkRequestTime,
  type Credentials,
  joinedHeaderValues,
  requestExpired,
  requireMatchingSignature,
  signedPathForms,
} from './signature';

/**
 * Verification of the HMAC-SHA1 signatures: AWS Signature Version 2 (`Authorization:
 * AWS ak:sig`, links with `AWSAccessKeyId/Expires/Signature`) and OBS's own, which is the
 * same construction over `x-obs-*` headers (`Authorization: OBS ak:sig`, links with
 * `AccessKeyId/Expires/Signature`). The string to sign is
 *
 *   METHOD \n Content-MD5 \n Content-Type \n Date-or-Expires \n <prefixed headers> <resource>
 *
 * where the resource is `/<bucket>/<key>` plus the sub-resources the request names.
 */

/**
 * Query parameters a V2 signature covers, lower-case: those AWS's SDKs sign and those
 * OBS's SDKs sign. No client sends one of them without signing it.
 */
const SIGNED_SUBRESOURCES = new Set(
  [
    'accelerate', 'acl', 'analytics', 'append', 'attname', 'backtosource', 'cors', 'customdomain', 'defaultobjectacl', 'delete',
    'deletebucket', 'directcoldaccess', 'encryption', 'inventory', 'length', 'lifecycle', 'location', 'logging', 'metadata',
    'metrics', 'modify', 'name', 'notification', 'object-lock', 'partnumber', 'policy', 'position', 'publicaccessblock',
    'policystatus', 'quota', 'rename', 'replication', 'requestpayment', 'response-cache-control', 'response-content-disposition',
    'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires', 'restore',
    'retention', 'select', 'select-type', 'storageclass', 'storageinfo', 'storagepolicy', 'tagging', 'torrent', 'truncate',
    'uploadid', 'uploads', 'versionid', 'versioning', 'versions', 'website',
  ],
);

type HeaderPrefix = 'x-amz-' | 'x-obs-';

/** Verifies `Authorization: AWS <ak>:<sig>` (S3) or `Authorization: OBS <ak>:<sig>` (OBS). */
export function verifyV2Header(req: IncomingMessage, request: S3Request, credentials: Credentials): void {
  const m = /^(?:AWS|OBS) ([^:\s]+):(\S+)$/.exec(header(req, 'authorization') ?? '');
  if (!m) throw new S3Error('InvalidArgument', 'The Authorization header is invalid: expected "AWS <access key id>:<signature>".');
  const prefix = prefixOf(request);
  checkAccessKey(m[1], credentials);
  checkRequestTime(req, prefix);
  // With x-amz-date (x-obs-date) present, S3 signs an empty Date line; clients that sent a
  // Date header anyway may have signed it.
  const dates = new Set([header(req, 'date') ?? '']);
  if (header(req, `${prefix}date`) !== undefined) dates.add('');
  const headers = prefixedHeaders(req, request, prefix, false);
  const computed = [...dates].flatMap((date) =>
    resourcePaths(request).flatMap((path) =>
      sign(credentials, stringToSign(req, request, date, headers, canonicalResource(request, path, false))),
    ),
  );
  requireMatchingSignature(computed, m[2]);
}

/** Verifies a V2 link (`AWSAccessKeyId`, `Expires`, `Signature`) or an OBS one (`AccessKeyId`, …). */
export function verifyV2Presigned(req: IncomingMessage, request: S3Request, credentials: Credentials): void {
  const q = request.query;
  const accessKeyId = q.get(request.dialect === 'obs' ? 'AccessKeyId' : 'AWSAccessKeyId');
  const expires = q.get('Expires');
  const signature = q.get('Signature');
  if (!accessKeyId || expires === undefined || !signature) {
    throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters.');
  }
  checkAccessKey(accessKeyId, credentials);
  if (!/^\d{1,12}$/.test(expires)) throw new S3Error('AccessDenied', 'Invalid date (should be seconds since epoch): ' + expires);
  if (Date.now() > Number(expires) * 1000) throw requestExpired();
  const headers = prefixedHeaders(req, request, prefixOf(request), true);
  const computed = resourcePaths(request).flatMap((path) =>
    sign(credentials, stringToSign(req, request, expires, headers, canonicalResource(request, path, true))),
  );
  requireMatchingSignature(computed, signature);
}

/** AWS's SDKs sign a bucket's path-style resource with a trailing slash (`/bucket/`) but send `/bucket`. */
function resourcePaths(request: S3Request): string[] {
  const forms = signedPathForms(request.rawPath);
  const bucketLevel = request.virtualHostBucket === undefined && request.bucket !== undefined && request.key === undefined;
  return bucketLevel ? forms.flatMap((path) => (path.endsWith('/') ? [path] : [path, path + '/'])) : forms;
}

function prefixOf(request: S3Request): HeaderPrefix {
  return request.dialect === 'obs' ? 'x-obs-' : 'x-amz-';
}

/** Non-ASCII header values are tried as both byte readings, as for SigV4 (see canonicalRequestHashes). */
function sign(credentials: Credentials, text: string): string[] {
  const encodings: BufferEncoding[] = /[\x80-\uffff]/.test(text) ? ['utf8', 'latin1'] : ['utf8'];
  return encodings.map((encoding) => createHmac('sha1', credentials.secretAccessKey).update(text, encoding).digest('base64'));
}

function stringToSign(req: IncomingMessage, request: S3Request, date: string, headers: string, resource: string): string {
  // AWS's presigner moves Content-MD5 and Content-Type into the query; the link's user may send neither.
  const standard = (name: string): string => header(req, name) ?? (request.query.has('Signature') ? (request.query.get(name) ?? '') : '');
  return `${request.method}\n${standard('content-md5')}\n${standard('content-type')}\n${date}\n${headers}${resource}`;
}

/**
 * The `x-amz-*` (or `x-obs-*`) headers, one `name:value\n` line each in name order, repeated
 * headers joined by commas. AWS's presigner carries them as query parameters of the link.
 */
function prefixedHeaders(req: IncomingMessage, request: S3Request, prefix: HeaderPrefix, presigned: boolean): string {
  const values = new Map<string, string>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name.startsWith(prefix) && !values.has(name)) values.set(name, joinedHeaderValues(req, name, false));
  }
  if (presigned && prefix === 'x-amz-') {
    for (const p of request.params) {
      const name = p.name.toLowerCase();
      if (name.startsWith(prefix) && !values.has(name)) values.set(name, p.value.trim());
    }
  }
  return [...values.keys()]
    .sort()
    .map((name) => `${name}:${values.get(name)}\n`)
    .join('');
}

/**
 * `/<bucket>/<key>` as sent (virtual-host requests prepend the bucket of their Host), then
 * the signed sub-resources in name order with their decoded values. OBS links also sign
 * their `x-obs-*` query parameters here.
 */
function canonicalResource(request: S3Request, path: string, presigned: boolean): string {
  const base = (request.virtualHostBucket === undefined ? '' : '/' + request.virtualHostBucket) + path;
  const signsPrefixed = presigned && request.dialect === 'obs';
  const subresources = request.params
    .filter((p) => SIGNED_SUBRESOURCES.has(p.name.toLowerCase()) || (signsPrefixed && p.name.toLowerCase().startsWith('x-obs-')))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === '' ? p.name : `${p.name}=${p.value}`));
  return subresources.length === 0 ? base : `${base}?${subresources.join('&')}`;
}
