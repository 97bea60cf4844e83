import { compareKeys } from '../key-index';
import { MAX_PART_BYTES, MAX_PART_NUMBER, MAX_PARTS_PER_LIST, MAX_UPLOADS_PER_LIST } from '../limits';
import { attributesFromRequest, quoteEtag } from '../object-headers';
import { parseRange } from '../read-conditions';
import { header } from '../request';
import { readXmlBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { S3Error } from '../s3-error';
import { awsUriEncode } from '../uri';
import { childElements, childText, el, optionalEl, xmlDocument } from '../xml';
import { bucketOf, intParam, keyOf, type OpContext, OWNER_XML, receiveBody } from './context';
import { parseCopySource, stageCopy } from './copy-source';

export async function createMultipartUpload(c: OpContext): Promise<void> {
  const upload = await c.multipart.create(bucketOf(c), keyOf(c), attributesFromRequest(c.req));
  sendXml(
    c.res,
    200,
    xmlDocument('InitiateMultipartUploadResult', [el('Bucket', upload.bucket), el('Key', upload.key), el('UploadId', upload.uploadId)]),
  );
}

export async function uploadPart(c: OpContext): Promise<void> {
  const { uploadId, partNumber } = partTarget(c);
  const { staged, md5 } = await receiveBody(c, MAX_PART_BYTES);
  const part = await c.multipart.commitPart(uploadId, bucketOf(c), keyOf(c), partNumber, staged, md5);
  sendEmpty(c.res, 200, { ETag: quoteEtag(part.etag) });
}

/** UploadPartCopy: a part taken from an existing object, optionally `x-amz-copy-source-range: bytes=a-b`. */
export async function uploadPartCopy(c: OpContext): Promise<void> {
  const { uploadId, partNumber } = partTarget(c);
  const rangeHeader = header(c.req, 'x-amz-copy-source-range');
  if (rangeHeader !== undefined && !/^bytes=\d+-\d+$/.test(rangeHeader.trim())) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last.');
  }
  const { staged, md5 } = await stageCopy(c, parseCopySource(c), (record) => {
    const range = parseRange(rangeHeader, record.size);
    if ((range ? range.end - range.start + 1 : record.size) > MAX_PART_BYTES) {
      throw new S3Error('EntityTooLarge', `A part may not exceed ${MAX_PART_BYTES} bytes.`);
    }
    return range;
  });
  const part = await c.multipart.commitPart(uploadId, bucketOf(c), keyOf(c), partNumber, staged, md5);
  sendXml(c.res, 200, xmlDocument('CopyPartResult', [el('LastModified', part.lastModified), el('ETag', quoteEtag(part.etag))]));
}

/** Checks the upload exists before any body is read. */
function partTarget(c: OpContext): { uploadId: string; partNumber: number } {
  const uploadId = c.request.query.get('uploadId') ?? '';
  const partNumber = intParam(c, 'partNumber', 0, 1, MAX_PART_NUMBER);
  c.multipart.get(uploadId, bucketOf(c), keyOf(c));
  return { uploadId, partNumber };
}

export async function completeMultipartUpload(c: OpContext): Promise<void> {
  const uploadId = c.request.query.get('uploadId') ?? '';
  c.multipart.get(uploadId, bucketOf(c), keyOf(c));
  const document = await readXmlBody(c.req, 'CompleteMultipartUpload');
  const parts = childElements(document, 'Part').map((p) => {
    const partNumber = Number(childText(p, 'PartNumber')?.trim());
    const etag = childText(p, 'ETag');
    if (!Number.isInteger(partNumber) || etag === undefined) {
      throw new S3Error('MalformedXML', 'Every Part needs a PartNumber and an ETag.');
    }
    return { partNumber, etag };
  });
  const record = await c.multipart.complete(uploadId, bucketOf(c), keyOf(c), parts);
  const location = `http://${header(c.req, 'host') ?? 'localhost'}/${bucketOf(c)}/${awsUriEncode(record.key, true)}`;
  sendXml(
    c.res,
    200,
    xmlDocument('CompleteMultipartUploadResult', [
      el('Location', location),
      el('Bucket', bucketOf(c)),
      el('Key', record.key),
      el('ETag', quoteEtag(record.etag)),
    ]),
  );
}

export async function abortMultipartUpload(c: OpContext): Promise<void> {
  await c.multipart.abort(c.request.query.get('uploadId') ?? '', bucketOf(c), keyOf(c));
  sendEmpty(c.res, 204);
}

export function listParts(c: OpContext): void {
  const uploadId = c.request.query.get('uploadId') ?? '';
  const marker = intParam(c, 'part-number-marker', 0, 0, MAX_PART_NUMBER);
  const maxParts = Math.min(intParam(c, 'max-parts', MAX_PARTS_PER_LIST, 0, Number.MAX_SAFE_INTEGER), MAX_PARTS_PER_LIST);
  const after = c.multipart.listParts(uploadId, bucketOf(c), keyOf(c)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  sendXml(
    c.res,
    200,
    xmlDocument('ListPartsResult', [
      el('Bucket', bucketOf(c)),
      el('Key', keyOf(c)),
      el('UploadId', uploadId),
      el('PartNumberMarker', marker),
      ...optionalEl('NextPartNumberMarker', truncated ? page[page.length - 1]?.partNumber : undefined),
      el('MaxParts', maxParts),
      el('IsTruncated', truncated),
      el('StorageClass', 'STANDARD'),
      ...page.map((p) =>
        el('Part', [el('PartNumber', p.partNumber), el('LastModified', p.lastModified), el('ETag', quoteEtag(p.etag)), el('Size', p.size)]),
      ),
    ]),
  );
}

/** ListMultipartUploads (`GET /<bucket>?uploads`); minio's client calls it before every multipart upload. */
export function listMultipartUploads(c: OpContext): void {
  c.store.requireBucket(bucketOf(c));
  const prefix = c.request.query.get('prefix') ?? '';
  const keyMarker = c.request.query.get('key-marker') ?? '';
  const uploadIdMarker = c.request.query.get('upload-id-marker') ?? '';
  const maxUploads = Math.min(intParam(c, 'max-uploads', MAX_UPLOADS_PER_LIST, 0, Number.MAX_SAFE_INTEGER), MAX_UPLOADS_PER_LIST);
  const all = c.multipart.listUploads(bucketOf(c), prefix);
  // After the marker key; with an upload-id marker, also the later uploads of that key.
  const markerAt = all.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker);
  const rest =
    keyMarker === ''
      ? all
      : markerAt >= 0 && uploadIdMarker !== ''
        ? all.slice(markerAt + 1)
        : all.filter((u) => compareKeys(u.key, keyMarker) > 0);
  const page = rest.slice(0, maxUploads);
  const truncated = rest.length > page.length;
  const last = page[page.length - 1];
  sendXml(
    c.res,
    200,
    xmlDocument('ListMultipartUploadsResult', [
      el('Bucket', bucketOf(c)),
      el('KeyMarker', keyMarker),
      el('UploadIdMarker', uploadIdMarker),
      ...optionalEl('NextKeyMarker', truncated ? last?.key : undefined),
      ...optionalEl('NextUploadIdMarker', truncated ? last?.uploadId : undefined),
      el('Prefix', prefix),
      el('MaxUploads', maxUploads),
      el('IsTruncated', truncated),
      ...page.map((u) =>
        el('Upload', [
          el('Key', u.key),
          el('UploadId', u.uploadId),
          el('Initiator', [el('ID', 'modelarts-local'), el('DisplayName', 'modelarts-local')]),
          OWNER_XML,
          el('StorageClass', 'STANDARD'),
          el('Initiated', u.initiated),
        ]),
      ),
    ]),
  );
}
