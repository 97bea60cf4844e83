import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CLOCK_SKEW_GRACE_SECONDS } from './limits';
import { header, type S3Request } from './request';
import { S3Error } from './s3-error';
import { awsUriEncode } from './uri';

/**
 * Verification of AWS Signature Version 4, in its Authorization-header and presigned-URL
 * forms. Only the request line and headers are signed-over material here; the payload is
 * covered by the x-amz-content-sha256 value, which the body reader checks separately.
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

interface SignedRequest {
  accessKeyId: string;
  /** `date/region/service/aws4_request` */
  scope: string[];
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
  malformed: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError';
}

export function verifySignature(req: IncomingMessage, request: S3Request, credentials: Credentials): void {
  const signed = readSignedRequest(req, request);
  if (signed.accessKeyId !== credentials.accessKeyId) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const [date, region, service, terminator] = signed.scope;
  // The region is not checked against ours: clients sign with us-east-1 before they have
  // asked the server for its location, and the secret is what proves identity.
  if (signed.scope.length !== 4 || !/^\d{8}$/.test(date) || !region || service !== 's3' || terminator !== 'aws4_request') {
    throw new S3Error(signed.malformed, 'The credential scope is malformed; expected date/region/s3/aws4_request.');
  }
  if (!signed.signedHeaders.includes('host')) {
    throw new S3Error(signed.malformed, 'The host header must be signed.');
  }
  if (signed.presigned) checkNotExpired(request, signed.amzDate);

  const signingKey = [date, region, service, terminator].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from('AWS4' + credentials.secretAccessKey, 'utf8'),
  );
  const expected = Buffer.from(signed.signature, 'utf8');
  const matches = canonicalPaths(request).some((path) => {
    const canonical = canonicalRequest(req, request, signed, path);
    const stringToSign = [ALGORITHM, signed.amzDate, signed.scope.join('/'), sha256Hex(canonical)].join('\n');
    const actual = Buffer.from(hmac(signingKey, stringToSign).toString('hex'), 'utf8');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
  if (!matches) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

function readSignedRequest(req: IncomingMessage, request: S3Request): SignedRequest {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    if (!authorization.startsWith(ALGORITHM + ' ')) {
      throw new S3Error('AccessDenied', 'Only AWS Signature Version 4 (AWS4-HMAC-SHA256) is supported.');
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    return build(
      fields.get('Credential'),
      fields.get('SignedHeaders'),
      fields.get('Signature'),
      header(req, 'x-amz-date') ?? header(req, 'date'),
      header(req, 'x-amz-content-sha256') ?? sha256Hex(''),
      false,
    );
  }
  const algorithm = request.query.get('X-Amz-Algorithm');
  if (algorithm !== undefined) {
    if (algorithm !== ALGORITHM) {
      throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256".');
    }
    return build(
      request.query.get('X-Amz-Credential'),
      request.query.get('X-Amz-SignedHeaders'),
      request.query.get('X-Amz-Signature'),
      request.query.get('X-Amz-Date'),
      request.query.get('X-Amz-Content-Sha256') ?? header(req, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD,
      true,
    );
  }
  if (request.query.has('AWSAccessKeyId')) {
    throw new S3Error('AccessDenied', 'Only AWS Signature Version 4 is supported; this URL is presigned with Signature Version 2.');
  }
  throw new S3Error('AccessDenied', 'Anonymous access is not allowed: sign your requests with AWS Signature Version 4.');
}

function build(
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  amzDate: string | undefined,
  payloadHash: string,
  presigned: boolean,
): SignedRequest {
  const malformed = presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed';
  if (!credential || !signedHeaders || !signature || !amzDate) {
    throw new S3Error(malformed, 'The Credential, SignedHeaders, Signature and date must all be present.');
  }
  const slash = credential.indexOf('/');
  if (!isValidPayloadHash(payloadHash)) {
    throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a SHA-256 hex digest.');
  }
  return {
    accessKeyId: slash < 0 ? credential : credential.slice(0, slash),
    scope: slash < 0 ? [] : credential.slice(slash + 1).split('/'),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash,
    presigned,
    malformed,
  };
}

function isValidPayloadHash(hash: string): boolean {
  return hash === UNSIGNED_PAYLOAD || hash.startsWith('STREAMING-') || /^[0-9a-f]{64}$/.test(hash);
}

function checkNotExpired(request: S3Request, amzDate: string): void {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const expires = Number(request.query.get('X-Amz-Expires') ?? NaN);
  if (!m || !Number.isInteger(expires) || expires < 0) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Date and X-Amz-Expires must be valid.');
  }
  const signedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Date.now() > signedAt + (expires + CLOCK_SKEW_GRACE_SECONDS) * 1000) {
    throw new S3Error('AccessDenied', 'Request has expired.');
  }
}

/**
 * The canonical URI is the path encoded once with SigV4's rules. Clients encode the path
 * that way on the wire too, but one that sent a laxer encoding and signed what it sent is
 * still honoured by trying the path as received.
 */
function canonicalPaths(request: S3Request): string[] {
  const reencoded = request.rawPath
    .split('/')
    .map((segment) => awsUriEncode(safeDecode(segment)))
    .join('/');
  return reencoded === request.rawPath ? [reencoded] : [reencoded, request.rawPath];
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function canonicalRequest(req: IncomingMessage, request: S3Request, signed: SignedRequest, path: string): string {
  const query = request.params
    .filter((p) => !(signed.presigned && p.name === 'X-Amz-Signature'))
    .map((p) => [awsUriEncode(p.name), awsUriEncode(p.value)])
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
  const headers = signed.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req, name)}\n`).join('');
  return [request.method, path, query, headers, signed.signedHeaders.join(';'), signed.payloadHash].join('\n');
}

/** All values of a header in arrival order, joined by commas, whitespace runs collapsed. */
function canonicalHeaderValue(req: IncomingMessage, name: string): string {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === name) values.push(req.rawHeaders[i + 1].trim().replace(/\s+/g, ' '));
  }
  return values.join(',');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}
