import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
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
    const text = Array.isArray(value) ? value.join(',') : value;
    const shortName = name.slice(USER_METADATA_PREFIX.length);
    userMetadata[shortName] = text;
    metadataBytes += shortName.length + text.length;
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size of ${MAX_USER_METADATA_BYTES} bytes.`);
  }
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = header(req, name);
    // aws-chunked describes the upload's framing, not the object; other codings stay.
    if (name === 'content-encoding' && value !== undefined) {
      value = value.split(',').map((v) => v.trim()).filter((v) => v !== '' && v.toLowerCase() !== 'aws-chunked').join(',');
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
  for (const [name, value] of Object.entries(record.userMetadata)) headers[USER_METADATA_PREFIX + name] = value;
  for (const name of ['content-type', ...STORED_HEADERS]) {
    const override = query.get(`response-${name}`);
    if (override === undefined) continue;
    if (name === 'content-type') headers['Content-Type'] = override;
    else headers[name] = override;
  }
  return headers;
}
