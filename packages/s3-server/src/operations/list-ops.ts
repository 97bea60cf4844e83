import type { ObjectRecord } from '../fs-store';
import type { ListPage } from '../key-index';
import { MAX_KEYS_PER_LIST } from '../limits';
import { quoteEtag } from '../object-headers';
import { sendXml } from '../response';
import { S3Error } from '../s3-error';
import { listingUrlEncode } from '../uri';
import { el, optionalEl, type Xml, xmlDocument } from '../xml';
import { bucketOf, intParam, type OpContext, OWNER_XML } from './context';

/** ListObjectsV2 (`list-type=2`): pages continue from an opaque token. */
export function listObjectsV2(c: OpContext): void {
  const token = c.request.query.get('continuation-token');
  const startAfter = c.request.query.get('start-after');
  // An empty token is no token: the listing starts from the beginning.
  const after = token ? decodeToken(token) : (startAfter ?? '');
  const { page, text, head } = listPage(c, after);
  const next = page.isTruncated && page.last !== undefined ? encodeToken(page.last) : undefined;
  sendXml(
    c.res,
    200,
    xmlDocument('ListBucketResult', [
      ...head,
      el('KeyCount', page.entries.length + page.commonPrefixes.length),
      el('IsTruncated', page.isTruncated),
      ...optionalEl('ContinuationToken', token),
      ...optionalEl('NextContinuationToken', next),
      ...optionalEl('StartAfter', startAfter === undefined ? undefined : text(startAfter)),
      ...listBody(page, text, c.request.query.get('fetch-owner') === 'true'),
    ]),
  );
}

/** ListObjects, the original API: pages continue after a marker key. */
export function listObjectsV1(c: OpContext): void {
  const marker = c.request.query.get('marker') ?? '';
  const { page, text, head } = listPage(c, marker);
  sendXml(
    c.res,
    200,
    xmlDocument('ListBucketResult', [
      ...head,
      el('Marker', text(marker)),
      el('IsTruncated', page.isTruncated),
      ...optionalEl('NextMarker', page.isTruncated && page.last !== undefined ? text(page.last) : undefined),
      ...listBody(page, text, true),
    ]),
  );
}

/**
 * ListObjectVersions (`GET /<bucket>?versions`). Buckets here are never versioned, so every
 * object is its one, latest version, whose id is `null` as S3 names it in unversioned buckets.
 */
export function listObjectVersions(c: OpContext): void {
  const keyMarker = c.request.query.get('key-marker') ?? '';
  const versionIdMarker = c.request.query.get('version-id-marker');
  const { page, text, head } = listPage(c, keyMarker);
  const next = page.isTruncated && page.last !== undefined ? page.last : undefined;
  const versions = page.entries.map(({ value: o }) =>
    el('Version', [
      el('Key', text(o.key)),
      el('VersionId', 'null'),
      el('IsLatest', true),
      el('LastModified', o.lastModified),
      el('ETag', quoteEtag(o.etag)),
      el('Size', o.size),
      OWNER_XML,
      el('StorageClass', 'STANDARD'),
    ]),
  );
  sendXml(
    c.res,
    200,
    xmlDocument('ListVersionsResult', [
      ...head,
      el('KeyMarker', text(keyMarker)),
      el('VersionIdMarker', versionIdMarker ?? ''),
      ...optionalEl('NextKeyMarker', next === undefined ? undefined : text(next)),
      ...optionalEl('NextVersionIdMarker', next === undefined ? undefined : 'null'),
      el('IsTruncated', page.isTruncated),
      ...versions,
      ...page.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', text(p))])),
    ]),
  );
}

/** What the listing APIs share: their parameters, the page, and the leading elements. */
function listPage(c: OpContext, after: string): { page: ListPage<ObjectRecord>; text: (s: string) => string; head: Xml[] } {
  const prefix = c.request.query.get('prefix') ?? '';
  const delimiter = c.request.query.get('delimiter') ?? '';
  const maxKeys = intParam(c, 'max-keys', MAX_KEYS_PER_LIST, 0, Number.MAX_SAFE_INTEGER);
  const encodingType = c.request.query.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request: only "url" is supported.');
  }
  const text = encodingType === 'url' ? listingUrlEncode : (s: string): string => s;
  const page = c.store.listObjects(bucketOf(c), { prefix, delimiter, after, maxKeys: Math.min(maxKeys, MAX_KEYS_PER_LIST) });
  const head = [
    el('Name', bucketOf(c)),
    el('Prefix', text(prefix)),
    ...optionalEl('Delimiter', delimiter === '' ? undefined : text(delimiter)),
    el('MaxKeys', Math.min(maxKeys, MAX_KEYS_PER_LIST)),
    ...optionalEl('EncodingType', encodingType),
  ];
  return { page, text, head };
}

function listBody(page: ListPage<ObjectRecord>, text: (s: string) => string, withOwner: boolean): Xml[] {
  return [
    ...page.entries.map(({ value: o }) =>
      el('Contents', [
        el('Key', text(o.key)),
        el('LastModified', o.lastModified),
        el('ETag', quoteEtag(o.etag)),
        el('Size', o.size),
        el('StorageClass', 'STANDARD'),
        ...(withOwner ? [OWNER_XML] : []),
      ]),
    ),
    ...page.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', text(p))])),
  ];
}

/** Tokens are opaque to clients; the last key listed is all a continuation needs. */
function encodeToken(lastListed: string): string {
  return Buffer.from(lastListed, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect.');
  return Buffer.from(token, 'base64url').toString('utf8');
}
