import type { IncomingMessage } from 'node:http';
import type { ObjectRecord } from './fs-store';
import { quoteEtag } from './object-headers';
import { header } from './request';
import { S3Error } from './s3-error';

/**
 * Conditional requests (RFC 9110 as S3 applies it): If-Match / If-Unmodified-Since fail
 * with 412, If-None-Match / If-Modified-Since answer 304. CopyObject uses the same rules
 * under `x-amz-copy-source-if-*`, where every failure is a 412.
 */
export function checkConditions(req: IncomingMessage, record: ObjectRecord, prefix: '' | 'x-amz-copy-source-' = ''): void {
  const ifMatch = header(req, `${prefix}if-match`);
  const ifNoneMatch = header(req, `${prefix}if-none-match`);
  const ifModifiedSince = parseDate(header(req, `${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseDate(header(req, `${prefix}if-unmodified-since`));
  // HTTP dates have whole seconds; compare at that precision.
  const modified = Math.floor(Date.parse(record.lastModified) / 1000) * 1000;

  const failed = (): S3Error => new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  const notModified = (): S3Error =>
    prefix === ''
      ? new S3Error('NotModified', 'Not Modified', { ETag: quoteEtag(record.etag), 'Last-Modified': new Date(record.lastModified).toUTCString() })
      : failed();

  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, record.etag)) throw failed();
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw failed();
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, record.etag)) throw notModified();
  } else if (ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    throw notModified();
  }
}

export function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const value = candidate.trim().replace(/^W\//, '');
    return value === '*' || value.replace(/^"|"$/g, '') === etag;
  });
}

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * A `Range: bytes=...` header against an object of `size` bytes. Forms S3 does not honour
 * (several ranges, other units, syntax errors) are ignored and the whole object is sent.
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  const m = value === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let range: ByteRange | undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix > 0 && size > 0) range = { start: Math.max(0, size - suffix), end: size - 1 };
  } else {
    const start = Number(m[1]);
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
    if (start < size) range = { start, end };
  }
  if (!range) {
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', { 'Content-Range': `bytes */${size}` });
  }
  return range;
}
