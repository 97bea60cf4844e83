import { attributesFromRequest, checksumHeaders, quoteEtag } from '../object-headers';
import { header } from '../request';
import { sendEmpty, sendStream, sendXml } from '../response';
import { S3Error } from '../s3-error';
import { writePrecondition } from '../write-conditions';
import { el, xmlDocument } from '../xml';
import { bucketOf, checkVersionId, checksumXml, keyOf, type OpContext, receiveBody } from './context';
import { parseCopySource, stageCopy } from './copy-source';
import { planRead, type ReadPlan } from './read-plan';

export async function putObject(c: OpContext): Promise<void> {
  c.store.requireBucket(bucketOf(c)); // fail before reading a body that could not be kept
  const attributes = attributesFromRequest(c.req);
  const precondition = writePrecondition(c.req);
  precondition(c.store.findObject(bucketOf(c), keyOf(c))); // checked again when committing
  const { staged, md5, checksum } = await receiveBody(c, c.maxObjectBytes);
  const record = await c.store.commitObject(
    bucketOf(c),
    keyOf(c),
    staged,
    { ...attributes, etag: md5.toString('hex'), checksum: checksum && { ...checksum, type: 'FULL_OBJECT' } },
    precondition,
  );
  sendEmpty(c.res, 200, { ETag: quoteEtag(record.etag), ...checksumHeaders(record.checksum) });
}

export async function getObject(c: OpContext): Promise<void> {
  checkVersionId(c);
  const { record, handle } = await c.store.openObject(bucketOf(c), keyOf(c));
  let read: ReadPlan;
  try {
    read = planRead(c, record);
    if (read.range && read.range.end < read.range.start) {
      await handle.close();
      sendEmpty(c.res, read.status, read.headers);
      return;
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  await sendStream(c.res, read.status, read.headers, handle.createReadStream(read.range ?? {}));
}

export function headObject(c: OpContext): void {
  checkVersionId(c);
  const read = planRead(c, c.store.getObject(bucketOf(c), keyOf(c)));
  sendEmpty(c.res, read.status, read.headers);
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
    // The copy is one new object of the same bytes: a whole-object checksum still holds.
    checksum: from.checksum?.type === 'FULL_OBJECT' ? from.checksum : undefined,
  });
  sendXml(
    c.res,
    200,
    xmlDocument('CopyObjectResult', [el('LastModified', record.lastModified), el('ETag', quoteEtag(record.etag)), ...checksumXml(record.checksum)]),
  );
}

