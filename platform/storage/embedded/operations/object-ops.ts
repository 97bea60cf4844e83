import type { OutgoingHttpHeaders } from 'node:http';
import type { ObjectRecord } from '../fs-store';
import { MAX_DELETE_KEYS } from '../limits';
import { attributesFromRequest, objectHeaders, quoteEtag } from '../object-headers';
import { checkConditions, parseRange, type ByteRange } from '../read-conditions';
import { header } from '../request';
import { readXmlBody } from '../request-content';
import { sendEmpty, sendStream, sendXml } from '../response';
import { S3Error, toS3Error } from '../s3-error';
import { childElements, childText, el, type Xml, xmlDocument } from '../xml';
import { bucketOf, keyOf, type OpContext, receiveBody } from './context';
import { parseCopySource, stageCopy } from './copy-source';

export async function putObject(c: OpContext): Promise<void> {
  c.store.requireBucket(bucketOf(c)); // fail before reading a body that could not be kept
  const attributes = attributesFromRequest(c.req);
  const { staged, md5 } = await receiveBody(c, c.maxObjectBytes);
  const record = await c.store.commitObject(bucketOf(c), keyOf(c), staged, { ...attributes, etag: md5.toString('hex') });
  sendEmpty(c.res, 200, { ETag: quoteEtag(record.etag) });
}

export async function getObject(c: OpContext): Promise<void> {
  const { record, handle } = await c.store.openObject(bucketOf(c), keyOf(c));
  let read: { status: number; headers: OutgoingHttpHeaders; range?: ByteRange };
  try {
    read = planRead(c, record);
  } catch (err) {
    await handle.close();
    throw err;
  }
  await sendStream(c.res, read.status, read.headers, handle.createReadStream(read.range ?? {}));
}

export function headObject(c: OpContext): void {
  const read = planRead(c, c.store.getObject(bucketOf(c), keyOf(c)));
  sendEmpty(c.res, read.status, read.headers);
}

/** Status, headers and byte range of a GET or HEAD, after its conditions are checked. */
function planRead(c: OpContext, record: ObjectRecord): { status: number; headers: OutgoingHttpHeaders; range?: ByteRange } {
  checkConditions(c.req, record);
  const range = parseRange(header(c.req, 'range'), record.size);
  const headers = objectHeaders(record, c.request.query);
  if (!range) return { status: 200, headers: { ...headers, 'Content-Length': record.size } };
  return {
    status: 206,
    range,
    headers: { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${record.size}` },
  };
}

export async function deleteObject(c: OpContext): Promise<void> {
  await c.store.deleteObject(bucketOf(c), keyOf(c));
  sendEmpty(c.res, 204);
}

/** DeleteObjects (`POST /<bucket>?delete`): per-key results; Quiet reports only failures. */
export async function deleteObjects(c: OpContext): Promise<void> {
  c.store.requireBucket(bucketOf(c));
  const document = await readXmlBody(c.req, 'Delete');
  const quiet = childText(document, 'Quiet')?.trim() === 'true';
  const keys = childElements(document, 'Object').map((o) => childText(o, 'Key'));
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS || keys.some((k) => k === undefined || k === '')) {
    throw new S3Error('MalformedXML', `A Delete request names between 1 and ${MAX_DELETE_KEYS} objects, each with a Key.`);
  }
  const results: Xml[] = [];
  for (const key of keys as string[]) {
    try {
      await c.store.deleteObject(bucketOf(c), key);
      if (!quiet) results.push(el('Deleted', [el('Key', key)]));
    } catch (err) {
      const failure = toS3Error(err);
      results.push(el('Error', [el('Key', key), el('Code', failure.code), el('Message', failure.message)]));
    }
  }
  sendXml(c.res, 200, xmlDocument('DeleteResult', results));
}

export async function copyObject(c: OpContext): Promise<void> {
  const source = parseCopySource(c);
  const directive = (header(c.req, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive: use COPY or REPLACE.');
  }
  if (directive === 'COPY' && source.bucket === bucketOf(c) && source.key === keyOf(c)) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata.",
    );
  }
  c.store.requireBucket(bucketOf(c));
  const { record: from, staged, md5 } = await stageCopy(c, source);
  const attributes = directive === 'COPY' ? from : attributesFromRequest(c.req);
  const record = await c.store.commitObject(bucketOf(c), keyOf(c), staged, {
    contentType: attributes.contentType,
    userMetadata: attributes.userMetadata,
    headers: attributes.headers,
    etag: md5.toString('hex'),
  });
  sendXml(c.res, 200, xmlDocument('CopyObjectResult', [el('LastModified', record.lastModified), el('ETag', quoteEtag(record.etag))]));
}
