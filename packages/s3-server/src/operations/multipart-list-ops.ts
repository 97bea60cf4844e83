import { compareKeys } from '../key-index';
import { MAX_PART_NUMBER, MAX_PARTS_PER_LIST, MAX_UPLOADS_PER_LIST } from '../limits';
import { quoteEtag } from '../object-headers';
import { sendXml } from '../response';
import { el, optionalEl, xmlDocument } from '../xml';
import { bucketOf, intParam, keyOf, type OpContext, OWNER_XML } from './context';

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
