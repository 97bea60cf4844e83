import { checksumField } from '../checksums';
import type { ObjectRecord } from '../fs-store';
import { MAX_PARTS_PER_LIST, MAX_PART_NUMBER } from '../limits';
import { checkConditions } from '../read-conditions';
import { header } from '../request';
import { sendXml } from '../response';
import { S3Error } from '../s3-error';
import { el, optionalEl, type Xml, xmlDocument } from '../xml';
import { bucketOf, checksumXml, checkVersionId, keyOf, type OpContext } from './context';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

/**
 * GetObjectAttributes (`GET /<bucket>/<key>?attributes`): what `x-amz-object-attributes`
 * asks for, parts paged by `x-amz-max-parts` / `x-amz-part-number-marker`.
 */
export function getObjectAttributes(c: OpContext): void {
  checkVersionId(c);
  const wanted = (header(c.req, 'x-amz-object-attributes') ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  const unknown = wanted.find((a) => !ATTRIBUTES.includes(a));
  if (wanted.length === 0 || unknown !== undefined) {
    const which = unknown ? `; ${unknown} is not one` : '';
    throw new S3Error('InvalidArgument', `x-amz-object-attributes must list some of ${ATTRIBUTES.join(', ')}${which}.`);
  }
  const record = c.store.getObject(bucketOf(c), keyOf(c));
  checkConditions(c.req, record);
  const content: Xml[] = [];
  if (wanted.includes('ETag')) content.push(el('ETag', record.etag));
  if (wanted.includes('Checksum') && record.checksum) content.push(el('Checksum', checksumXml(record.checksum)));
  if (wanted.includes('ObjectParts') && record.parts) content.push(objectParts(c, record));
  if (wanted.includes('StorageClass')) content.push(el('StorageClass', 'STANDARD'));
  if (wanted.includes('ObjectSize')) content.push(el('ObjectSize', record.size));
  sendXml(c.res, 200, xmlDocument('GetObjectAttributesResponse', content), {
    'Last-Modified': new Date(record.lastModified).toUTCString(),
  });
}

function objectParts(c: OpContext, record: ObjectRecord): Xml {
  const parts = record.parts ?? [];
  const marker = headerInt(c, 'x-amz-part-number-marker', 0, MAX_PART_NUMBER);
  const maxParts = Math.min(headerInt(c, 'x-amz-max-parts', MAX_PARTS_PER_LIST, Number.MAX_SAFE_INTEGER), MAX_PARTS_PER_LIST);
  const page = parts.slice(marker, marker + maxParts);
  const truncated = marker + page.length < parts.length;
  return el('ObjectParts', [
    el('PartsCount', parts.length),
    el('PartNumberMarker', marker),
    ...optionalEl('NextPartNumberMarker', truncated ? marker + page.length : undefined),
    el('MaxParts', maxParts),
    el('IsTruncated', truncated),
    ...page.map((part, i) => {
      const checksum = record.checksum && part.checksum !== undefined ? [el(checksumField(record.checksum.algorithm), part.checksum)] : [];
      return el('Part', [el('PartNumber', marker + i + 1), el('Size', part.size), ...checksum]);
    }),
  ]);
}

function headerInt(c: OpContext, name: string, fallback: number, max: number): number {
  const raw = header(c.req, name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= 0 && value <= max)) throw new S3Error('InvalidArgument', `${name} must be an integer between 0 and ${max}.`);
  return value;
}
