import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MAX_PRESIGNED_EXPIRY_SECONDS } from '../limits';
import { header, type S3Request } from '../request';
import { S3Error } from '../s3-error';
import { awsUriEncode } from '../uri';
import {
  checkAccessKey,
  checkRequestTime,
  type Credentials,
  joinedHeaderValues,
  parseSigningDate,
  requestExpired,
  requireMatchingSignature,
  signedPathForms,
} from './signature';
import { authorizationFields, sha256Hex } from './authorization-fields';

/**
 * Verification of AWS Signature Version 4, in its Authorization-header and presigned-URL
 * forms. Only the request line and headers are signed-over material here; the payload is
 * covered by the x-amz-content-sha256 value, which the body reader checks separately.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

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

/** Verifies `Authorization: AWS4-HMAC-SHA256 …` or an `X-Amz-Algorithm=AWS4-HMAC-SHA256` link. */
export function verifySigV4(req: IncomingMessage, request: S3Request, credentials: Credentials): void {
  const signed = readSignedRequest(req, request);
  checkAccessKey(signed.accessKeyId, credentials);
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
  else checkRequestTime(req, 'x-amz-');

  const signingKey = [date, region, service, terminator].reduce<Buffer>(
    (key, part) => hmac(key, part),
    Buffer.from('AWS4' + credentials.secretAccessKey, 'utf8'),
  );
  const computed = signedPathForms(request.rawPath).flatMap((path) =>
    canonicalRequestHashes(canonicalRequest(req, request, signed, path)).map((hash) =>
      hmac(signingKey, [ALGORITHM, signed.amzDate, signed.scope.join('/'), hash].join('\n')).toString('hex'),
    ),
  );
  requireMatchingSignature(computed, signed.signature);
}

/**
 * Header values reach us as Latin-1 (Node's reading of their raw bytes). A client that sent
 * "é" as the UTF-8 bytes it signed (Python's clients) is matched by hashing those bytes as
 * they came; one that sent the Latin-1 byte but signed the UTF-8 encoding (Node's) by hashing
 * the text as UTF-8. Both hashes are tried.
 */
function canonicalRequestHashes(canonical: string): string[] {
  const utf8 = createHash('sha256').update(canonical, 'utf8').digest('hex');
  if (!/[\x80-\uffff]/.test(canonical)) return [utf8];
  return [utf8, createHash('sha256').update(canonical, 'latin1').digest('hex')];
}

function readSignedRequest(req: IncomingMessage, request: S3Request): SignedRequest {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const fields = authorizationFields(authorization, ALGORITHM);
    if (!fields) {
      throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed: it should start with ${ALGORITHM}.`);
    }
    return build(
      fields.get('Credential'),
      fields.get('SignedHeaders'),
      fields.get('Signature'),
      signingTime(req),
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
  throw new S3Error('AuthorizationQueryParametersError', 'The X-Amz-Algorithm query parameter is missing.');
}

/**
 * The time in the string to sign: x-amz-date, or the Date header (an HTTP date) written in
 * SigV4's basic form, as clients that sign with only Date do.
 */
function signingTime(req: IncomingMessage): string | undefined {
  const amzDate = header(req, 'x-amz-date');
  if (amzDate !== undefined) return amzDate;
  const time = parseSigningDate(header(req, 'date') ?? '');
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, '');
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

/**
 * A presigned link lives X-Amz-Expires seconds from X-Amz-Date: at least one second, at
 * most a week, as in S3. The bounds are AccessDenied, as S3 answers them.
 */
function checkNotExpired(request: S3Request, amzDate: string): void {
  const signedAt = /^\d{8}T\d{6}Z$/.test(amzDate) ? parseSigningDate(amzDate) : NaN;
  const raw = request.query.get('X-Amz-Expires') ?? '';
  if (Number.isNaN(signedAt) || !/^-?\d{1,12}$/.test(raw)) {
    throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Date and X-Amz-Expires must be valid.');
  }
  const expires = Number(raw);
  if (expires < 1 || expires > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw new S3Error('AccessDenied', `X-Amz-Expires must be between 1 and ${MAX_PRESIGNED_EXPIRY_SECONDS} seconds (one week).`);
  }
  if (Date.now() > signedAt + expires * 1000) throw requestExpired();
}

function canonicalRequest(req: IncomingMessage, request: S3Request, signed: SignedRequest, path: string): string {
  const query = request.params
    .filter((p) => !(signed.presigned && p.name === 'X-Amz-Signature'))
    .map((p) => [awsUriEncode(p.name), awsUriEncode(p.value)])
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
  const headers = signed.signedHeaders.map((name) => `${name}:${joinedHeaderValues(req, name)}\n`).join('');
  return [request.method, path, query, headers, signed.signedHeaders.join(';'), signed.payloadHash].join('\n');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
