import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { StoredChecksum } from './checksums';
import type { ObjectAttributes, ObjectRecord } from './fs-store';
import { MAX_USER_METADATA_BYTES } from './limits';
import { header } from './request';
import { S3Error } from './s3-error';

/** Standard headers S3 stores with an object and returns on GET and HEAD. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];
const USER_METADATA_PREFIX = 'x-amz-meta-';

/** The attributes of a new object (PutObject, CreateMultipartUpload, CopyObject with REPLACE). */
export function attributesFromRequest(req: IncomingMessage): ObjectAttributes {
  const userMetadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(USER_METADATA_PREFIX) || value === undefined) continue;
    const text = fromWire(Array.isArray(value) ? value.join(',') : value);
    const shortName = name.slice(USER_METADATA_PREFIX.length);
    userMetadata[shortName] = text;
    metadataBytes += shortName.length + Buffer.byteLength(text, 'utf8');
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_METADATA_BYTES} bytes.`);
  }
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = header(req, name);
    // aws-chunked describes the upload's framing, not the object; other codings stay.
    if (name === 'content-encoding' && value !== undefined) {
      const codings = value.split(',').filter((v) => v.trim() !== '' && v.trim().toLowerCase() !== 'aws-chunked');
      value = codings.join(',').trim();
    }
    if (value) headers[name] = value;
  }
  return { contentType: header(req, 'content-type') ?? 'binary/octet-stream', userMetadata, headers };
}

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

/**
 * Response headers describing an object; a presigned GET may override some of them with
 * response-content-type and friends.
 */
export function objectHeaders(record: ObjectRecord, query: Map<string, string>): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'Content-Type': record.contentType,
    ETag: quoteEtag(record.etag),
    'Last-Modified': new Date(record.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...record.headers,
  };
  for (const [name, value] of Object.entries(record.userMetadata)) headers[USER_METADATA_PREFIX + name] = toWire(value);
  for (const name of ['content-type', ...STORED_HEADERS]) {
    const override = query.get(`response-${name}`);
    if (override === undefined) continue;
    if (name === 'content-type') headers['Content-Type'] = override;
    else headers[name] = override;
  }
  return headers;
}

/** `x-amz-checksum-<algorithm>` and `x-amz-checksum-type`; `value` overrides the object's (a part's checksum). */
export function checksumHeaders(checksum: StoredChecksum | undefined, value = checksum?.value): OutgoingHttpHeaders {
  if (!checksum || value === undefined) return {};
  return { [`x-amz-checksum-${checksum.algorithm}`]: value, 'x-amz-checksum-type': checksum.type };
}

/**
 * Header values arrive as Latin-1 readings of their bytes. Metadata is Unicode text: bytes
 * that form valid UTF-8 (what most clients send) are read as UTF-8, anything else stays
 * Latin-1, which is what a client limited to Latin-1 meant.
 */
function fromWire(value: string): string {
  if (!/[\x80-\uffff]/.test(value) || /[\u0100-\uffff]/.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Text within Latin-1 goes out as Latin-1 bytes (how HTTP clients read headers); beyond it, as UTF-8. */
function toWire(value: string): string {
  return /[\u0100-\uffff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}
