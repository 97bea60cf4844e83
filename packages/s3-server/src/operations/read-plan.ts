import type { OutgoingHttpHeaders } from 'node:http';
import type { ObjectRecord } from '../fs-store';
import { MAX_PART_NUMBER } from '../limits';
import { checksumHeaders, objectHeaders } from '../object-headers';
import { type ByteRange, checkConditions, parseRange } from '../read-conditions';
import { header } from '../request';
import { S3Error } from '../s3-error';
import { intParam, type OpContext } from './context';

export interface ReadPlan {
  status: number;
  headers: OutgoingHttpHeaders;
  range?: ByteRange;
}

/**
 * Status, headers and byte range of a GET or HEAD, after its conditions are checked: the
 * whole object, a `Range`, or one part of a multipart object (`?partNumber=N`, counted from
 * 1 in the object's order, as S3 and its parallel downloaders count them).
 */
export function planRead(c: OpContext, record: ObjectRecord): ReadPlan {
  checkConditions(c.req, record);
  const rangeHeader = header(c.req, 'range');
  const partsCount = record.parts?.length;
  const headers: OutgoingHttpHeaders = {
    ...objectHeaders(record, c.request.query),
    ...(partsCount === undefined ? {} : { 'x-amz-mp-parts-count': partsCount }),
  };
  // Checksums describe whole objects or whole parts, so a ranged read carries none.
  const withChecksum = header(c.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  if (c.request.query.has('partNumber')) {
    if (rangeHeader !== undefined) throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter.');
    return planPartRead(record, intParam(c, 'partNumber', 1, 1, MAX_PART_NUMBER), headers, withChecksum);
  }
  const range = parseRange(rangeHeader, record.size);
  if (!range) {
    return { status: 200, headers: { ...headers, ...(withChecksum ? checksumHeaders(record.checksum) : {}), 'Content-Length': record.size } };
  }
  return { status: 206, range, headers: { ...headers, ...rangeHeaders(range, record.size) } };
}

function planPartRead(record: ObjectRecord, partNumber: number, headers: OutgoingHttpHeaders, withChecksum: boolean): ReadPlan {
  const parts = record.parts ?? [{ size: record.size, checksum: record.checksum?.value }];
  if (partNumber > parts.length) {
    throw new S3Error('InvalidPart', `The object has ${parts.length} part(s); part ${partNumber} does not exist.`);
  }
  const part = parts[partNumber - 1];
  const checksum = withChecksum ? checksumHeaders(record.checksum, part.checksum) : {};
  if (!record.parts) return { status: 200, headers: { ...headers, ...checksum, 'Content-Length': record.size } };
  const start = parts.slice(0, partNumber - 1).reduce((sum, p) => sum + p.size, 0);
  const range = { start, end: start + part.size - 1 };
  return { status: 206, range, headers: { ...headers, ...checksum, ...rangeHeaders(range, record.size) } };
}

/** An empty part is the empty range `start..start-1`. */
function rangeHeaders(range: ByteRange, size: number): OutgoingHttpHeaders {
  return { 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` };
}
