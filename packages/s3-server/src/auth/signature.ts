import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MAX_CLOCK_SKEW_SECONDS } from '../limits';
import { header } from '../request';
import { S3Error } from '../s3-error';
import { awsUriEncode } from '../uri';

/** What every signature scheme shares: the keys, the comparison, the clock and the errors. */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function checkAccessKey(accessKeyId: string, credentials: Credentials): void {
  if (accessKeyId !== credentials.accessKeyId) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
}

/**
 * Throws SignatureDoesNotMatch unless one of the signatures we computed equals the one
 * provided. Each comparison takes the same time whatever the bytes, so a forger learns
 * nothing from how quickly a guess is refused.
 */
export function requireMatchingSignature(computed: Iterable<string>, provided: string): void {
  const expected = Buffer.from(provided, 'utf8');
  let matches = false;
  for (const signature of computed) {
    const actual = Buffer.from(signature, 'utf8');
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) matches = true;
  }
  if (!matches) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

export function requestExpired(): S3Error {
  return new S3Error('AccessDenied', 'Request has expired.');
}

/**
 * A header-signed request must say when it was signed (`x-amz-date`/`x-obs-date`, else
 * `Date`), within MAX_CLOCK_SKEW_SECONDS of our clock, so a captured request cannot be
 * replayed for long.
 */
export function checkRequestTime(req: IncomingMessage, datePrefix: 'x-amz-' | 'x-obs-'): void {
  const stated = header(req, `${datePrefix}date`) ?? header(req, 'date');
  const time = stated === undefined ? NaN : parseSigningDate(stated);
  if (!(time >= 0)) {
    throw new S3Error('AccessDenied', `AWS authentication requires a valid Date or ${datePrefix}date header.`);
  }
  if (Math.abs(Date.now() - time) > MAX_CLOCK_SKEW_SECONDS * 1000) {
    throw new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
}

/** `20240102T030405Z` (SigV4) or an HTTP date (`Tue, 02 Jan 2024 03:04:05 GMT`); NaN otherwise. */
export function parseSigningDate(text: string): number {
  const basic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (basic) return Date.UTC(+basic[1], +basic[2] - 1, +basic[3], +basic[4], +basic[5], +basic[6]);
  return /^[A-Za-z]{3},? /.test(text) ? Date.parse(text) : NaN;
}

/**
 * The path forms a signature may have been computed over: the path as received, and the
 * path encoded once with SigV4's rules, which clients use on the wire too; a client that
 * sent a laxer encoding and signed what it sent is still honoured.
 */
export function signedPathForms(rawPath: string): string[] {
  const reencoded = rawPath
    .split('/')
    .map((segment) => awsUriEncode(safeDecode(segment)))
    .join('/');
  return reencoded === rawPath ? [rawPath] : [reencoded, rawPath];
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * All values of a header in arrival order, each trimmed, joined by commas; SigV4 also
 * collapses whitespace runs, V2 keeps them.
 */
export function joinedHeaderValues(req: IncomingMessage, name: string, collapse = true): string {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== name) continue;
    const value = req.rawHeaders[i + 1].trim();
    values.push(collapse ? value.replace(/\s+/g, ' ') : value);
  }
  return values.join(',');
}
