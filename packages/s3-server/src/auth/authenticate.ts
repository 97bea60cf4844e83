import type { IncomingMessage } from 'node:http';
import { header, type S3Request } from '../request';
import { S3Error } from '../s3-error';
import type { Credentials } from './signature';
import { verifyV2Header, verifyV2Presigned } from './sigv2';
import { ALGORITHM as SIGV4, verifySigV4 } from './sigv4';

export type { Credentials } from './signature';

/**
 * Proves the request was signed with our keys, by whichever scheme the client used:
 * SigV4 (header or link), SigV2 (`AWS ak:sig` or link), or OBS's `OBS ak:sig` (or link).
 * Throws the S3 error that says what was wrong; returns only for a valid signature.
 */
export function authenticate(req: IncomingMessage, request: S3Request, credentials: Credentials): void {
  const authorization = header(req, 'authorization');
  if (authorization !== undefined) {
    if (authorization.startsWith(SIGV4 + ' ')) return verifySigV4(req, request, credentials);
    if (authorization.startsWith('AWS ') || authorization.startsWith('OBS ')) return verifyV2Header(req, request, credentials);
    if (authorization.trim() === '') throw anonymous();
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type: sign with AWS4-HMAC-SHA256, AWS (V2) or OBS.');
  }
  const q = request.query;
  if (q.has('X-Amz-Algorithm') || q.has('X-Amz-Credential') || q.has('X-Amz-Signature')) return verifySigV4(req, request, credentials);
  if (q.has('AWSAccessKeyId') || q.has('AccessKeyId') || q.has('Signature')) return verifyV2Presigned(req, request, credentials);
  throw anonymous();
}

function anonymous(): S3Error {
  return new S3Error('AccessDenied', 'Anonymous access is not allowed: sign your requests (AWS Signature Version 4 or 2, or OBS).');
}
