import type { IncomingMessage } from 'node:http';
import type { Precondition } from './fs-store';
import { etagListMatches } from './read-conditions';
import { header } from './request';
import { S3Error } from './s3-error';

/**
 * Conditional writes and deletes, checked under the key's lock against the record being
 * replaced, so two writers racing on one key cannot both succeed.
 */

function preconditionFailed(): S3Error {
  return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
}

/**
 * PutObject and CompleteMultipartUpload: `If-None-Match: *` writes only a new key, `If-Match`
 * only over the named version; If-Match on a missing key is NoSuchKey, as in S3.
 */
export function writePrecondition(req: IncomingMessage): Precondition {
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  return (current) => {
    if (ifMatch !== undefined) {
      if (!current) throw new S3Error('NoSuchKey', 'The specified key does not exist.');
      if (!etagListMatches(ifMatch, current.etag)) throw preconditionFailed();
    }
    if (ifNoneMatch !== undefined && current && etagListMatches(ifNoneMatch, current.etag)) throw preconditionFailed();
  };
}

export interface DeleteConditions {
  etag?: string;
  /** An HTTP or ISO 8601 date; compared to the second. */
  lastModified?: string;
  size?: string;
}

/** DeleteObject's If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size. */
export function deleteConditionsOf(req: IncomingMessage): DeleteConditions {
  return {
    etag: header(req, 'if-match'),
    lastModified: header(req, 'x-amz-if-match-last-modified-time'),
    size: header(req, 'x-amz-if-match-size'),
  };
}

/** Deleting a key that is already gone succeeds whatever the conditions, as in S3. */
export function deletePrecondition(conditions: DeleteConditions): Precondition {
  return (current) => {
    if (!current) return;
    if (conditions.etag !== undefined && !etagListMatches(conditions.etag, current.etag)) throw preconditionFailed();
    if (conditions.lastModified !== undefined && seconds(conditions.lastModified) !== seconds(current.lastModified)) {
      throw preconditionFailed();
    }
    if (conditions.size !== undefined && Number(conditions.size.trim()) !== current.size) throw preconditionFailed();
  };
}

function seconds(date: string): number {
  return Math.floor(Date.parse(date) / 1000);
}
