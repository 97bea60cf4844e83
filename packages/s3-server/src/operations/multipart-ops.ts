import { checksumField, type ChecksumAlgorithm, type ChecksumType, isChecksumAlgorithm } from '../checksums';
import type { UploadInfo } from '../fs-multipart';
import { MAX_PART_BYTES, MAX_PART_NUMBER } from '../limits';
import { attributesFromRequest, quoteEtag } from '../object-headers';
import { type ByteRange, parseRange } from '../read-conditions';
import { header } from '../request';
import { readXmlBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { S3Error } from '../s3-error';
import { awsUriEncode } from '../uri';
import { writePrecondition } from '../write-conditions';
import { childElements, childText, el, xmlDocument } from '../xml';
import { bucketOf, checksumXml, intParam, keyOf, type OpContext, receiveBody } from './context';
import { parseCopySource, stageCopy } from './copy-source';

export async function createMultipartUpload(c: OpContext): Promise<void> {
  const checksum = uploadChecksum(c);
  const upload = await c.multipart.create(bucketOf(c), keyOf(c), attributesFromRequest(c.req), checksum);
  const headers = checksum ? { 'x-amz-checksum-algorithm': checksum.algorithm.toUpperCase(), 'x-amz-checksum-type': checksum.type } : {};
  sendXml(
    c.res,
    200,
    xmlDocument('InitiateMultipartUploadResult', [el('Bucket', upload.bucket), el('Key', upload.key), el('UploadId', upload.uploadId)]),
    headers,
  );
}

/**
 * `x-amz-checksum-algorithm` (+ `x-amz-checksum-type`): CRC64NVME checksums are always of
 * the whole object; the others are composite unless FULL_OBJECT is asked (CRCs only).
 */
function uploadChecksum(c: OpContext): UploadInfo['checksum'] {
  const algorithm = header(c.req, 'x-amz-checksum-algorithm')?.toLowerCase();
  if (algorithm === undefined) return undefined;
  if (!isChecksumAlgorithm(algorithm)) throw new S3Error('InvalidRequest', `Checksum algorithm ${algorithm} is not supported.`);
  const fallback: ChecksumType = algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE';
  const type = (header(c.req, 'x-amz-checksum-type')?.toUpperCase() ?? fallback) as ChecksumType;
  const allowed = algorithm === 'crc64nvme' ? ['FULL_OBJECT'] : algorithm.startsWith('crc') ? ['FULL_OBJECT', 'COMPOSITE'] : ['COMPOSITE'];
  if (!allowed.includes(type)) throw new S3Error('InvalidRequest', `The ${type} checksum type is not supported for ${algorithm.toUpperCase()}.`);
  return { algorithm, type };
}

export async function uploadPart(c: OpContext): Promise<void> {
  const { uploadId, partNumber, upload } = partTarget(c);
  const body = await receiveBody(c, MAX_PART_BYTES, upload.checksum?.algorithm);
  const part = await c.multipart.commitPart(uploadId, bucketOf(c), keyOf(c), partNumber, body);
  const checksum = part.checksum ? { [`x-amz-checksum-${part.checksum.algorithm}`]: part.checksum.value } : {};
  sendEmpty(c.res, 200, { ETag: quoteEtag(part.etag), ...checksum });
}

/** UploadPartCopy: a part taken from an existing object, optionally `x-amz-copy-source-range: bytes=a-b`. */
export async function uploadPartCopy(c: OpContext): Promise<void> {
  const { uploadId, partNumber } = partTarget(c);
  const rangeHeader = header(c.req, 'x-amz-copy-source-range');
  if (rangeHeader !== undefined && !/^bytes=\d+-\d+$/.test(rangeHeader.trim())) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last.');
  }
  const { staged, md5 } = await stageCopy(c, parseCopySource(c), (record) => {
    const range = copySourceRange(rangeHeader, record.size);
    if ((range ? range.end - range.start + 1 : record.size) > MAX_PART_BYTES) {
      throw new S3Error('EntityTooLarge', `A part may not exceed ${MAX_PART_BYTES} bytes.`);
    }
    return range;
  });
  const part = await c.multipart.commitPart(uploadId, bucketOf(c), keyOf(c), partNumber, { staged, md5 });
  sendXml(c.res, 200, xmlDocument('CopyPartResult', [el('LastModified', part.lastModified), el('ETag', quoteEtag(part.etag))]));
}

/** A copied part's range must lie within the source, unlike a GET's, which is cut to fit. */
function copySourceRange(value: string | undefined, size: number): ByteRange | undefined {
  const range = parseRange(value, size);
  const end = Number(/-(\d+)$/.exec(value?.trim() ?? '')?.[1]);
  if (range && end >= size) {
    throw new S3Error('InvalidRange', `The x-amz-copy-source-range ends beyond the source object's ${size} bytes.`, {
      'Content-Range': `bytes */${size}`,
    });
  }
  return range;
}

/** Checks the upload exists before any body is read. */
function partTarget(c: OpContext): { uploadId: string; partNumber: number; upload: UploadInfo } {
  const uploadId = c.request.query.get('uploadId') ?? '';
  const partNumber = intParam(c, 'partNumber', 0, 1, MAX_PART_NUMBER);
  return { uploadId, partNumber, upload: c.multipart.get(uploadId, bucketOf(c), keyOf(c)) };
}

/**
 * CompleteMultipartUpload, with S3's conditional writes (If-Match / If-None-Match) and the
 * object checksum the client expects (x-amz-checksum-*). A retry of a complete that already
 * succeeded answers the same result.
 */
export async function completeMultipartUpload(c: OpContext): Promise<void> {
  const uploadId = c.request.query.get('uploadId') ?? '';
  const upload = c.multipart.findForCompletion(uploadId, bucketOf(c), keyOf(c));
  const document = await readXmlBody(c.req, 'CompleteMultipartUpload', false);
  const algorithm = upload?.checksum?.algorithm;
  const parts = childElements(document, 'Part').map((p) => {
    const partNumber = Number(childText(p, 'PartNumber')?.trim());
    const etag = childText(p, 'ETag');
    if (!Number.isInteger(partNumber) || etag === undefined) {
      throw new S3Error('MalformedXML', 'Every Part needs a PartNumber and an ETag.');
    }
    return { partNumber, etag, checksum: algorithm && childText(p, checksumField(algorithm)) };
  });
  const record = await c.multipart.complete(uploadId, bucketOf(c), keyOf(c), parts, {
    precondition: writePrecondition(c.req),
    expectedChecksum: algorithm && expectedChecksum(c, algorithm),
  });
  const location = `http://${header(c.req, 'host') ?? 'localhost'}/${bucketOf(c)}/${awsUriEncode(record.key, true)}`;
  sendXml(
    c.res,
    200,
    xmlDocument('CompleteMultipartUploadResult', [
      el('Location', location),
      el('Bucket', bucketOf(c)),
      el('Key', record.key),
      el('ETag', quoteEtag(record.etag)),
      ...checksumXml(record.checksum),
    ]),
  );
}

function expectedChecksum(c: OpContext, algorithm: ChecksumAlgorithm): string | undefined {
  return header(c.req, `x-amz-checksum-${algorithm}`)?.trim();
}

export async function abortMultipartUpload(c: OpContext): Promise<void> {
  await c.multipart.abort(c.request.query.get('uploadId') ?? '', bucketOf(c), keyOf(c));
  sendEmpty(c.res, 204);
}
